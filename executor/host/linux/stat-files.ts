// The kernel's text files `stack stats` reads, parsed: pure functions over their text, so
// both cgroup versions are tested on any host (test/host/stat-files.test.ts).

/** `key value` lines (memory.stat, cpu.stat) as a map. */
export function keyValues(text: string): Map<string, number> {
  const map = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [k, v] = line.trim().split(/\s+/);
    if (k && v !== undefined && /^\d+$/.test(v)) map.set(k, Number(v));
  }
  return map;
}

/** A limit file: a number, or `max` (v2) / a number at or above `ceiling` (v1's "none") for no limit. */
export function limitOf(text: string, ceiling: number): number {
  const value = text.trim();
  if (value === 'max' || value === '') return ceiling;
  return Math.min(Number(value), ceiling);
}

export interface ReadWrite {
  read: number;
  write: number;
}

/** v1 `blkio.throttle.io_service_bytes_recursive`: `MAJ:MIN Read N` / `Write N` lines (docker reads the same). */
export function blkioBytes(text: string): ReadWrite {
  const sum = { read: 0, write: 0 };
  for (const line of text.split('\n')) {
    const [, op, n] = line.trim().split(/\s+/);
    if (op === 'Read') sum.read += Number(n);
    if (op === 'Write') sum.write += Number(n);
  }
  return sum;
}

/** v2 `io.stat`: `MAJ:MIN rbytes=N wbytes=N rios=N …` per device. */
export function ioStatBytes(text: string): ReadWrite {
  const sum = { read: 0, write: 0 };
  for (const m of text.matchAll(/\b([rw])bytes=(\d+)/g)) sum[m[1] === 'r' ? 'read' : 'write'] += Number(m[2]);
  return sum;
}

/** /proc/PID/io: the bytes a process made the storage layer fetch and send. */
export function procIoBytes(text: string): ReadWrite {
  const kv = new Map(text.split('\n').map((l) => l.split(/:\s*/) as [string, string]));
  return { read: Number(kv.get('read_bytes') ?? 0), write: Number(kv.get('write_bytes') ?? 0) };
}

/** /proc/PID/net/dev of the container's netns: received and sent bytes of every interface but lo (as docker). */
export function netDevBytes(text: string): { rx: number; tx: number } {
  const sum = { rx: 0, tx: 0 };
  for (const line of text.split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0 || line.slice(0, colon).trim() === 'lo') continue;
    const fields = line
      .slice(colon + 1)
      .trim()
      .split(/\s+/)
      .map(Number);
    sum.rx += fields[0] ?? 0;
    sum.tx += fields[8] ?? 0;
  }
  return sum;
}
