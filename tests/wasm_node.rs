//! The wasm boundary, run in Node by wasm-bindgen-test-runner.
#![cfg(target_arch = "wasm32")]
mod wasm_common;
