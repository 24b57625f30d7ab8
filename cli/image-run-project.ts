// The project of one-off containers made from a bare image (`run --image`). Its own module:
// project-name-option.ts (the `-p` check) loads commander, which the one-shot `run --rm
// --image` (one-shot-run.ts) does without.

/** No compose project name starts with `_`, so `-p _run` is the one way to name it. */
export const IMAGE_RUN_PROJECT = '_run';
