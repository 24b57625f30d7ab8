// The CLI waits for its supervisor's socket by watching the socket's folder (supervisor/client.ts):
// a change wakes the wait at once, a change between two waits is not lost, and without a
// change (or a folder) the wait ends after its time.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import net from 'node:net';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { watchDirChanges } from '../../supervisor/dir-changes.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stack-dir-changes-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const elapsed = async (p: Promise<void>) => {
  const t0 = performance.now();
  await p;
  return performance.now() - t0;
};

it('wakes when a socket is bound in the folder, long before its time', async () => {
  const changes = watchDirChanges(dir);
  const server = net.createServer();
  try {
    setTimeout(() => server.listen(path.join(dir, 'supervisor.sock')), 20);
    expect(await elapsed(changes.next(5000))).toBeLessThan(2000);
  } finally {
    changes.close();
    server.close();
  }
});

it('does not lose a change made between two waits', async () => {
  const changes = watchDirChanges(dir);
  try {
    fs.writeFileSync(path.join(dir, 'a'), '');
    await new Promise((r) => setTimeout(r, 50)); // the event arrives while nobody waits
    expect(await elapsed(changes.next(5000))).toBeLessThan(2000);
  } finally {
    changes.close();
  }
});

it('ends after its time without a change, and without a folder', async () => {
  const changes = watchDirChanges(dir);
  const missing = watchDirChanges(path.join(dir, 'none'));
  try {
    expect(await elapsed(changes.next(30))).toBeGreaterThanOrEqual(25);
    expect(await elapsed(missing.next(30))).toBeGreaterThanOrEqual(25);
  } finally {
    changes.close();
    missing.close();
  }
});
