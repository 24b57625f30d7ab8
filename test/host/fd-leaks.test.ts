// Privileged, issue 13 finding 3: nothing but fds 0, 1 and 2 crosses into a container. The
// attack: libnftables' netlink socket to the host's nftables (opened without O_CLOEXEC) was
// an fd of every container's PID 1, which with NET_ADMIN lists and changes the host's
// tables and with default caps steals the supervisor's replies; any other fd the spawning
// process had open without O_CLOEXEC went along too. This test process plays the
// supervisor: it has a libnftables context and an inheritable fd on a secret file, then
// looks at the fds from inside containers it starts, through both init and exec stages.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { nftRun } from '../../executor/host/linux/libnftables.js';
import { paths } from '../../store/paths.js';
import { busyboxFixture } from '../support/busybox-containers.js';
import { INIT_STAGES, useInitStage } from '../support/init-stages.js';
import { lsFds, netfilterSocketInodes, openFds, plantInheritableFd } from '../support/open-fds.js';

const fx = busyboxFixture('fdleaks');
const secretText = `secret-${crypto.randomBytes(8).toString('hex')}`;
let planted = -1;
let nftSockets: number[] = [];

beforeAll(async () => {
  fx.buildLayer();
  // As in a supervisor: the libnftables context exists before any container starts.
  await nftRun('list tables ip');
  nftSockets = netfilterSocketInodes();
  const secret = path.join(fx.tmp, 'secret');
  fs.writeFileSync(secret, secretText, { mode: 0o600 });
  planted = plantInheritableFd(secret);
});

afterAll(async () => {
  if (planted >= 0) fs.closeSync(planted);
  await fx.cleanupAll();
});

/** Runs argv in container `name` with piped output; resolves with code and stdout+stderr. */
async function execIn(name: string, argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const code = await fx.containers.exec(fx.project, name, {
    argv,
    stdio: 'pipe',
    onOutput: (_s, chunk) => (out += chunk.toString()),
  });
  return { code, out };
}

it("libnftables' netlink socket is close-on-exec, as every fd the supervisor makes", () => {
  expect(nftSockets.length).toBeGreaterThan(0);
  const mine = openFds('self');
  for (const inode of nftSockets)
    expect(mine.find((f) => f.target === `socket:[${inode}]`)).toMatchObject({ cloexec: true });
});

describe.each(INIT_STAGES)('fds inside a container (%s stages)', (stage) => {
  beforeAll(() => useInitStage(stage));

  it('PID 1 holds only 0, 1 and 2: no host netlink socket, nothing of the process that started it', async () => {
    const { log } = await fx.run(['ls', '-l', '/proc/self/fd']);
    const fds = lsFds(log);
    // 3 is ls's own /proc/self/fd directory.
    expect([...fds.keys()]).toEqual([0, 1, 2, 3]);
    for (const inode of nftSockets) expect(log).not.toContain(`socket:[${inode}]`);
    const read = await fx.run(['cat', `/proc/self/fd/${planted}`]);
    expect(read.log).not.toContain(secretText);
    expect(read.exit.exitCode).not.toBe(0);
  });

  it("an exec'd process holds only 0, 1 and 2 and cannot read its caller's fds; PID 1 seen from it holds only 0, 1 and 2", async () => {
    const s = fx.spec(['sleep', '1000']);
    await fx.start(s);
    const self = await execIn(s.name, ['ls', '-l', '/proc/self/fd']);
    const fds = lsFds(self.out);
    expect([...fds.keys()]).toEqual([0, 1, 2, 3]);
    const init = await execIn(s.name, ['ls', '-l', '/proc/1/fd']);
    expect(init.code).toBe(0);
    expect([...lsFds(init.out).keys()]).toEqual([0, 1, 2]);
    for (const inode of nftSockets) expect(self.out + init.out).not.toContain(`socket:[${inode}]`);
    const read = await execIn(s.name, ['cat', `/proc/self/fd/${planted}`]);
    expect(read.out).not.toContain(secretText);
    expect(read.code).not.toBe(0);
    await fx.removeAll(s.name);
  });
});

describe('a start that fails after the joined namespaces are open', () => {
  // The fault: the log file cannot be opened (here a folder stands where it goes). The fds of
  // the namespaces the container joins were already open and leaked in the supervisor, one
  // set per failed start, until it ran out of descriptors.
  it("closes the joined namespaces' fds", async () => {
    const owner = fx.spec(['sleep', '1000']);
    await fx.start(owner);
    const joiner = fx.spec(['true'], { namespaces: { pid: `container:${owner.name}`, ipc: 'private' } });
    await fx.containers.prepare(joiner);
    const log = paths.logFile(fx.project, joiner.name);
    fs.mkdirSync(log, { recursive: true });
    const before = openFds('self').length;
    await expect(fx.containers.spawn(joiner)).rejects.toThrow();
    expect(openFds('self').length).toBe(before);
    fs.rmSync(log, { recursive: true });
    await fx.removeAll(owner.name);
    await fx.containers.cleanup(fx.project, joiner.name);
  });
});
