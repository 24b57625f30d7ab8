// launchContainer writes the pid record while the network is wired (launch-container.ts):
// the command is still released only once the record has landed, and a wiring that fails
// still waits for the record, so whoever removes the container then finds it.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeHost } from '../../executor/fake-host.js';
import { writeJsonAtomic } from '../../store/json-file.js';
import { launchContainer } from '../../executor/launch-container.js';
import { plainSpec } from '../support/plain-spec.js';

const spec = plainSpec('p', 'app', {
  endpoints: [
    {
      network: 'default',
      bridge: 'stkb0000000001',
      hostVeth: 'stkvlaunch',
      ifname: 'eth0',
      ip: '10.123.0.9',
      prefixLength: 24,
      gateway: '10.123.0.1',
      defaultRoute: true,
    },
  ],
});

/** A pid record that lands when the test says so; `host.calls` shows when. */
function slowRecord(host: FakeHost) {
  let land!: () => void;
  const landed = new Promise<void>((resolve) => (land = resolve));
  const saveStarting = async () => {
    await landed;
    host.calls.push('record starting');
  };
  return { saveStarting, land };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 10));

describe('launchContainer', () => {
  it('wires the network while the pid record is written, and releases the command only once it has landed', async () => {
    const host = new FakeHost();
    const { saveStarting, land } = slowRecord(host);
    const launched = launchContainer(spec, host, saveStarting);
    await settle();
    expect(host.calls.some((c) => c.startsWith('networks.attach'))).toBe(true);
    expect(host.calls.some((c) => c.startsWith('containers.release'))).toBe(false);
    land();
    await launched;
    expect(host.calls.indexOf('record starting')).toBeLessThan(host.calls.indexOf('containers.release p-app-1'));
  });

  it('a failed wiring waits for the pid record before the error goes on', async () => {
    const host = new FakeHost({ failOn: ['networks.attach'] });
    const { saveStarting, land } = slowRecord(host);
    let failed = false;
    const launched = launchContainer(spec, host, saveStarting).catch((err: unknown) => {
      failed = true;
      throw err;
    });
    await settle();
    expect(failed).toBe(false);
    land();
    await expect(launched).rejects.toThrow('injected failure: networks.attach');
    expect(host.calls).toContain('record starting');
    expect(host.calls.some((c) => c.startsWith('containers.release'))).toBe(false);
  });

  // A pid record that cannot land (a full disk) must come out as launchContainer's error. It
  // failed while the wiring waited on something else (here a build's bridges, still being
  // made); nothing handled it yet, and Node's default for an unhandled rejection ends the
  // process: the supervisor or the CLI would die instead of cleaning the container up.
  it('a pid record that cannot be written on a full disk is its error, never an unhandled rejection', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-launch-full-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', 'stktest-full', dir]);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      try {
        for (let i = 0; ; i++) fs.writeFileSync(path.join(dir, `fill${i}`), Buffer.alloc(4096));
      } catch {
        // full
      }
      const host = new FakeHost();
      const saveStarting = () => writeJsonAtomic(path.join(dir, 'record.json'), { pid: 1, padding: 'x'.repeat(8192) });
      const bridgesReady = new Promise((resolve) => setTimeout(resolve, 20));
      await expect(launchContainer(spec, host, saveStarting, { bridgesReady })).rejects.toThrow(/ENOSPC/);
      expect(unhandled).toEqual([]);
      expect(host.calls.some((c) => c.startsWith('containers.release'))).toBe(false);
    } finally {
      process.off('unhandledRejection', onUnhandled);
      execFileSync('umount', [dir]);
      fs.rmdirSync(dir);
    }
  });
});
