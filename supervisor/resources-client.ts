// Asks a supervisor what it holds (supervisor/resources.ts) over its control socket: for
// bench/supervisor-memory.mjs and the tests; the CLI has no command for it.

import net from 'node:net';
import { request } from './client.js';
import type { SupervisorResources } from './resources.js';

export async function askResources(socketPath: string): Promise<SupervisorResources> {
  const conn = await new Promise<net.Socket>((resolve, reject) => {
    const c = net.connect(socketPath, () => resolve(c));
    c.once('error', reject);
  });
  let answer: SupervisorResources | undefined;
  try {
    await request(conn, { op: 'resources' }, (m) => {
      if (m.type === 'resources') answer = m.resources;
    });
  } finally {
    conn.destroy();
  }
  if (!answer) throw new Error(`the supervisor at ${socketPath} did not answer with its resources`);
  return answer;
}
