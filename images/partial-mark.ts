// The mark in the name of a layer folder that is not yet (or no longer) a layer: unpacked
// there before it gets its final name, or set aside on its way out; and of a layer's shadow
// folder while it is built (layer-shadows.ts). Its own module: the image mounts of every
// container start (executor/host/linux/image-mount-layers.ts) need the names only, not the
// unpacker (tar-stream, zlib, zstd: ~2 ms of CPU at each `run`).
//
// Every writer names its folder with partialName and every cleaner judges one with
// isDeadPartial, so the form of the name is read and written in this one place.

import { isAlive } from '../store/pid-alive.js';
import { randomHex } from '../store/random-hex.js';

/** `<layer>.partial-PID-RANDOM`. */
export const PARTIAL_MARK = '.partial-';

/** A folder name for `final` while this process makes it (or takes it away). */
export function partialName(final: string): string {
  return `${final}${PARTIAL_MARK}${process.pid}-${randomHex(4)}`;
}

/** The pid of the process that named `name` (partialName), or undefined when it names none. */
export function partialWriterPid(name: string): number | undefined {
  const mark = name.lastIndexOf(PARTIAL_MARK);
  if (mark < 0) return undefined;
  const pid = /^(\d+)-/.exec(name.slice(mark + PARTIAL_MARK.length))?.[1];
  return pid === undefined || Number(pid) <= 0 ? undefined : Number(pid);
}

/**
 * A partial folder whose writer is gone, so no one will rename it any more: its leftovers may
 * go. A mark without a readable pid names no writer that could still finish it. A live
 * writer's, or a name without the mark, is not.
 */
export function isDeadPartial(name: string): boolean {
  if (!name.includes(PARTIAL_MARK)) return false;
  const pid = partialWriterPid(name);
  return pid === undefined || !isAlive(pid);
}
