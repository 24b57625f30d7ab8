// Whether a process's /proc/PID/uid_map is the host's own user namespace: that one maps
// every id onto itself, one line `0 0 4294967295`. Anything else is a user namespace (for
// stack: rootless mode, executor/host/linux/rootless/).

export function isInitialUidMap(text: string): boolean {
  const lines = text.trim().split('\n');
  return lines.length === 1 && lines[0]!.trim().split(/\s+/).join(' ') === '0 0 4294967295';
}
