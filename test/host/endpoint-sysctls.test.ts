// Privileged: an endpoint's interface sysctls (driver_opts com.docker.network.endpoint.sysctls)
// land on the container's interface, in its own network namespace, and nowhere on the host.
// The bridge and veth are named `stkt<rand>` and removed in afterAll; the "container" is a
// process in a net namespace this test made.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { readFile, readlink } from 'node:fs/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLinuxNetworks } from '../../executor/host/linux/network.js';
import { runTool } from '../support/run-tool.js';
import type { Endpoint, NetworkSpec } from '../../model/plan.js';
import type { InterfaceSysctl } from '../../model/endpoint-options.js';

const tag = `stkt${randomBytes(3).toString('hex')}`;
const x = randomInt(0, 254);
const net: NetworkSpec = {
  project: tag,
  key: 'default',
  name: `${tag}_default`,
  bridge: `${tag}br`,
  subnet: `10.214.${x}.0/24`,
  gateway: `10.214.${x}.1`,
  prefixLength: 24,
};
const networks = createLinuxNetworks();
let child: ChildProcess | undefined;
let pid = 0;

/** Endpoint `n` of the test's "container", with `sysctls`. */
const endpoint = (n: number, ifname: string, sysctls: InterfaceSysctl[]): Endpoint => ({
  network: 'default',
  bridge: net.bridge,
  hostVeth: `${tag}v${n}`,
  ifname,
  ip: `10.214.${x}.${n + 2}`,
  prefixLength: 24,
  gateway: net.gateway,
  defaultRoute: n === 0,
  sysctls,
});

beforeAll(async () => {
  child = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
  const own = await readlink('/proc/self/ns/net');
  for (let i = 0; i < 200 && pid === 0; i++) {
    const ns = await readlink(`/proc/${child.pid}/ns/net`).catch(() => own);
    if (ns !== own) pid = child.pid!;
    else await new Promise((r) => setTimeout(r, 5));
  }
  if (pid === 0) throw new Error('unshare --net did not enter a new netns');
  await networks.createBridge(net);
});

afterAll(async () => {
  child?.kill('SIGKILL');
  await networks.removeBridge(net.bridge);
});

it('writes each sysctl for the interface inside the container, and leaves the host alone', async () => {
  const hostBefore = await readFile('/proc/sys/net/ipv4/conf/all/log_martians', 'utf8');
  const ep = endpoint(0, 'front0', [
    { family: 'ipv4', group: 'conf', name: 'log_martians', value: '1' },
    { family: 'ipv4', group: 'neigh', name: 'base_reachable_time_ms', value: '12000' },
  ]);
  await networks.attach(pid, ep);
  const inside = (file: string) => runTool('nsenter', [`--net=/proc/${pid}/ns/net`, 'cat', file]);
  expect((await inside('/proc/sys/net/ipv4/conf/front0/log_martians')).trim()).toBe('1');
  expect((await inside('/proc/sys/net/ipv4/neigh/front0/base_reachable_time_ms')).trim()).toBe('12000');
  expect(await readFile('/proc/sys/net/ipv4/conf/all/log_martians', 'utf8')).toBe(hostBefore);
  await networks.detach(ep.hostVeth);
});

it('refuses a sysctl whose name could leave the interface folder, before it writes anything', async () => {
  const ep = endpoint(1, 'eth1', [{ family: 'ipv4', group: 'conf', name: '../../ip_forward', value: '1' }]);
  await expect(networks.attach(pid, ep)).rejects.toThrow(/invalid interface sysctl/);
  // The half-made veth went with the failure.
  await expect(readlink(`/sys/class/net/${ep.hostVeth}`)).rejects.toThrow();
});
