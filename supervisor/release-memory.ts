// What the supervisor gives back after each request (server.ts): the JS heap's garbage,
// then the C heap's free pages (executor/host/linux/malloc-trim.ts).
//
// Why a full collection of our own: V8 sets the next old-generation limit after each
// major GC to at least what survived plus 8 MB (its minimum growing step, which neither
// --max-old-space-size nor --optimize-for-size lowers), and the pages that hold the
// garbage in between stay committed. With ~9 MB live, the heap settled at 19-20 MB after a
// few hundred operations and the supervisor's RSS rose ~64 -> ~69 MB, +12% against the
// target of 10% (bench/supervisor-memory.mjs). Collected after each request, the heap
// holds what is live and the pages emptied go back to the kernel.

import { releaseFreeMemory } from '../executor/host/linux/malloc-trim.js';
import { exposedGc } from './v8-settings.js';

/** node's gc(): the one v8-settings.ts takes at the supervisor's start, or node's own under --expose-gc. */
type Collect = () => void;

/** A full garbage collection if node exposes it, then malloc_trim; says which ran. */
export function releaseMemory(): { collected: boolean; trimmed: boolean } {
  const gc = (globalThis as { gc?: Collect }).gc ?? exposedGc();
  gc?.();
  return { collected: gc !== undefined, trimmed: releaseFreeMemory() };
}
