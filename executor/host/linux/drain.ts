// Connection draining before a replaced container is stopped: once the published ports lead
// to its replacement, the requests the old container is still answering get to finish
// instead of being cut by its stop. The container's own network namespace lists its TCP
// sockets in /proc/<pid>/net/tcp{,6}; an established one (state 01) is a request in flight.

import { readFileSync } from 'node:fs';

const ESTABLISHED = '01';
const POLL_MS = 20;

/** Established TCP connections in the network namespace of `pid` (0 when it is gone). */
export function establishedConnections(pid: number): number {
  let count = 0;
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(`/proc/${pid}/net/${table}`, 'utf8');
    } catch {
      continue; // gone, or no IPv6
    }
    for (const line of text.split('\n').slice(1)) if (line.trim().split(/\s+/)[3] === ESTABLISHED) count++;
  }
  return count;
}

/** Resolves once `pid`'s namespace has no established connection, or after `maxMs`. */
export async function drainConnections(pid: number, maxMs: number): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (Date.now() < deadline && establishedConnections(pid) > 0) await new Promise((r) => setTimeout(r, POLL_MS));
}
