// Subresource Integrity for what the element fetches itself (the wasm and the rule bundles).
// Empty in development; `make build` writes the hashes into the versioned copy under
// www/release/<version>/lib/integrity.js, so a pinned release verifies every byte it loads.
export const INTEGRITY = {};

/** The `integrity` option for a URL under the release root, or undefined. */
export function integrityFor(url, base) {
  const rel = url.href.startsWith(base.href) ? url.href.slice(base.href.length).split(/[?#]/)[0] : null;
  return rel && INTEGRITY[rel] ? INTEGRITY[rel] : undefined;
}
