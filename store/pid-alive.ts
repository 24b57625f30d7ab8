// Whether a process of this pid exists: how the writers of temporary names (`…-PID-RAND`)
// are told from the dead ones whose leftovers may go. Its own module so that callers on the
// one-shot path (layer-shadows.ts) do not load the image modules (and node:crypto) with it.

/** True while a process of this pid exists, ours or another user's (EPERM). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
