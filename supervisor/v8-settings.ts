// The supervisor's V8 settings, made at run time instead of on node's command line.
//
// Node compiles its own modules (child_process, net, stream, crypto …) from a code cache
// built into the binary, and V8 accepts a code cache only under the flags it was made
// with. Any V8 flag on the command line (even --max-semi-space-size) made node compile
// every builtin the supervisor loads from source: ~15 ms more CPU for child_process, net,
// fs/promises, crypto and stream alone, ~20 ms of the supervisor's boot, on the critical
// path of a first `up` (docs/cli.md, "A first `up`: the timeline").
//
// So the supervisor starts with no flags and, once its modules are loaded (the bundle's
// top level, plus LATE_BUILTINS, which it would load later), sets:
// - --semi-space-growth-factor=1: the young generation keeps its first size. V8 grew it to
//   16 MB under a restart's allocation burst and kept it (heapTotal 16 -> 26 MB with ~8 MB
//   used). --max-semi-space-size did the same from the command line; V8 reads that one
//   only when the heap is made, the growth factor at each growth.
// - --no-opt: no optimizing compiler. What the heap still gained over hundreds of
//   operations was optimized code and its metadata; the supervisor's work is waiting on the
//   kernel and its children, so the interpreter and baseline code are fast enough.
// - gc(): the supervisor collects its JS heap after each request (release-memory.ts). V8
//   installs gc() in contexts made while --expose-gc is set; one such context is made,
//   its gc() kept, and the flag set back.
// A builtin first loaded after this compiles from source (once). The supervisor's own code
// cache, written at exit by bin/stack-supervisor.js, must carry the flags it is read
// under: the defaults are back before it is made.

import { createRequire } from 'node:module';
import v8 from 'node:v8';
import vm from 'node:vm';

/** Builtins the supervisor loads after its start (observed in a first `up`): loaded before the flags change. */
export const LATE_BUILTINS = ['node:crypto', 'node:dns', 'node:cluster'] as const;

/** The run-time flags, and what sets each back to V8's default. */
export const RUNTIME_FLAGS = [
  { set: '--semi-space-growth-factor=1', reset: '--semi-space-growth-factor=2' },
  { set: '--no-opt', reset: '--opt' },
] as const;

let collect: (() => void) | undefined;

/** gc() once applyV8Settings ran; undefined before. */
export function exposedGc(): (() => void) | undefined {
  return collect;
}

/** Loads LATE_BUILTINS, takes a gc(), then sets RUNTIME_FLAGS until the process exits. */
export function applyV8Settings(): void {
  const load = createRequire(import.meta.url);
  for (const name of LATE_BUILTINS) load(name);
  v8.setFlagsFromString('--expose-gc');
  try {
    collect = vm.runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  for (const flag of RUNTIME_FLAGS) v8.setFlagsFromString(flag.set);
  // Before the loader's own exit listener, which writes the code cache.
  process.prependListener('exit', resetV8Flags);
}

/** V8's defaults again, so that a code cache made now is accepted by the next start. */
export function resetV8Flags(): void {
  for (const flag of RUNTIME_FLAGS) v8.setFlagsFromString(flag.reset);
}
