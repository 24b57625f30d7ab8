// Modes of what stack keeps under STACK_ROOT and STACK_RUN. Containers and images control
// what sits in upper dirs, layers and volumes (a setuid-root file or a device node there is
// a local root for whoever reaches it), and records and logs hold environment and secret
// values: no other local user may reach any of it. So every folder stack makes for itself
// is 0700 — STACK_ROOT and STACK_RUN too when a mkdir makes them — and its files are 0600.
// Only the roots of what a container sees (an upper dir, a layer, a volume's `_data`, the
// hosts file) keep the modes the container needs, behind a private parent.

import fs from 'node:fs';

export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * mkdir -p with every folder it makes 0700 (the umask only takes bits away). Blocking behind
 * the async signature: a mkdir of a folder that mostly exists already is one syscall, where
 * fs/promises takes a thread-pool round trip.
 */
export async function makePrivateDir(dir: string): Promise<void> {
  makePrivateDirSync(dir);
}

export function makePrivateDirSync(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

/** Opens `file` for appending, creating it 0600 (logs). */
export function openPrivateAppend(file: string): number {
  return fs.openSync(file, 'a', PRIVATE_FILE_MODE);
}
