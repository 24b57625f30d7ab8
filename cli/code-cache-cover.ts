// A run that goes where the run that made its command's code cache may not have gone asks the
// loader (bin/stack.js, CODE_CACHE_COVER) to make that cache again at its exit, once per
// `part`: otherwise what only that path runs (a build's steps, when the first `stack build`
// took every step from the build cache) is compiled from source on every later run. Without
// the loader (tests, the unbundled build) it does nothing.

const COVER = Symbol.for('stack.codeCacheCover');

/** `part`: a lowercase word naming the path, e.g. `build-steps`. */
export function coverInCodeCache(part: string): void {
  const cover = (globalThis as Record<symbol, unknown>)[COVER];
  if (typeof cover === 'function') (cover as (part: string) => void)(part);
}
