// Connection draining reads the TCP tables of a process's network namespace: checked here
// against real loopback connections of this test's own namespace.

import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { drainConnections, establishedConnections } from '../../executor/host/linux/drain.js';

async function connectedPair(): Promise<{ close(): Promise<void> }> {
  const server = net.createServer((s) => s.on('error', () => {}));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  await new Promise<void>((r) => client.on('connect', r));
  return {
    close: async () => {
      client.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

describe('connection draining', () => {
  it('counts the established connections of a namespace, both ends of a loopback pair', async () => {
    const before = establishedConnections(process.pid);
    const pair = await connectedPair();
    expect(establishedConnections(process.pid)).toBeGreaterThanOrEqual(before + 2);
    await pair.close();
    expect(establishedConnections(99_999_999)).toBe(0); // no such process
  });

  it('waits while a connection stays open, then gives up at the limit', async () => {
    const pair = await connectedPair();
    const started = Date.now();
    await drainConnections(process.pid, 200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    await pair.close();
  });
});
