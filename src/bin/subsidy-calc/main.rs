//! The `subsidy-calc` command line: check and test rule files, estimate, diff versions and
//! compile bundles. Native only; the browser uses the wasm boundary instead.

#[cfg(not(target_arch = "wasm32"))]
mod batch;
#[cfg(not(target_arch = "wasm32"))]
mod cli;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

#[cfg(target_arch = "wasm32")]
fn main() {}
