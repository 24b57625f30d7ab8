// Hands the C allocator's free memory back to the kernel. The supervisor's native work runs
// on libuv's threadpool threads (libnftables through koffi's async calls, async fs), and
// glibc gives each such thread an arena of its own that keeps what was freed in it: over a
// few hundred restarts the supervisor's RSS grew from ~70 MB to ~140 MB while the memory in
// use (heaptrack) never passed ~13 MB and the JS heap stayed at ~8 MB
// (bench/supervisor-memory.mjs). malloc_trim(0) releases the free pages of every arena
// (two since the supervisor runs with MALLOC_ARENA_MAX=2, supervisor/launch.ts).
// Only glibc has it: elsewhere (musl) this does nothing.

import { koffi } from './koffi.js';

let trim: ((pad: number) => number) | null | undefined;

function binding(): ((pad: number) => number) | null {
  if (trim !== undefined) return trim;
  try {
    trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
  } catch {
    trim = null;
  }
  return trim;
}

/** Returns the C heap's free memory to the kernel; true when the allocator could do it here. */
export function releaseFreeMemory(): boolean {
  const f = binding();
  if (!f) return false;
  f(0);
  return true;
}
