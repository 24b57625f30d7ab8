// Privileged: bridges, veths and the nft table on the real kernel. Traffic stays on
// loopback or goes to a net namespace this test made. Every object is named `stkt<rand>`
// (links) or `stk_t<rand>` (table) and removed in afterAll, which then checks for leaks.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomInt } from 'node:crypto';
import { mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLinuxNat } from '../../executor/host/linux/nat.js';
import { createLinuxNetworks } from '../../executor/host/linux/network.js';
import { listLinks, natTableExists, natTableIntact, takenSubnets } from '../../executor/host/linux/observe-network.js';
import { runTool, ToolError } from '../support/run-tool.js';
import { NetlinkError } from '../../executor/host/linux/netlink.js';
import { SyscallError } from '../../executor/host/linux/syscall-error.js';
import type { Endpoint, NatSpec, NetworkSpec } from '../../model/plan.js';

const tag = `stkt${randomBytes(3).toString('hex')}`; // 10 bytes: room for a 5-byte suffix
const table = `stk_t${tag.slice(4)}`;
// Not 254: the failing attach below names a gateway in 10.213.254.0, which must be outside 10.213.x.0/24.
const x = randomInt(0, 254);
const subnet = `10.213.${x}.0/24`;
const gateway = `10.213.${x}.1`;
const cip = `10.213.${x}.2`;
const netSpec: NetworkSpec = {
  project: tag,
  key: 'default',
  name: `${tag}_default`,
  bridge: `${tag}br`,
  subnet,
  gateway,
  prefixLength: 24,
};
const ep: Endpoint = {
  network: 'default',
  bridge: netSpec.bridge,
  hostVeth: `${tag}v0`,
  ifname: 'eth0',
  ip: cip,
  prefixLength: 24,
  gateway,
  defaultRoute: true,
};

const networks = createLinuxNetworks();
const nat = createLinuxNat();
const children: ChildProcess[] = [];
const bridges = new Set<string>([netSpec.bridge]);
const veths = new Set<string>([ep.hostVeth]);
let ipForward = '';
let webDir = '';

/** A "container": a process in a fresh net namespace, resolved once it is in it. */
async function netnsProcess(): Promise<number> {
  const child = spawn('unshare', ['--net', 'sleep', '60'], { stdio: 'ignore' });
  children.push(child);
  const own = await readlink('/proc/self/ns/net');
  for (let i = 0; i < 200; i++) {
    const ns = await readlink(`/proc/${child.pid}/ns/net`).catch(() => own);
    if (ns !== own) return child.pid!;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('unshare --net did not enter a new netns');
}

const inNetns = (pid: number, args: string[]) => runTool('nsenter', [`--net=/proc/${pid}/ns/net`, ...args]);

function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net
      .createServer()
      .on('error', reject)
      .listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
  });
}

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: 1000, agent: false }, (res) => {
      let body = '';
      res
        .setEncoding('utf8')
        .on('data', (d) => {
          body += d;
        })
        .on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout'))).on('error', reject);
  });
}

async function getWithRetry(url: string): Promise<string> {
  for (let i = 0; ; i++) {
    try {
      return await get(url);
    } catch (e) {
      if (i >= 40) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

let pid = 0;

beforeAll(async () => {
  ipForward = (await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim();
  pid = await netnsProcess();
});

afterAll(async () => {
  const errors: unknown[] = [];
  const attempt = async (f: () => Promise<unknown>) => {
    try {
      await f();
    } catch (e) {
      errors.push(e);
    }
  };
  await attempt(() => nat.remove(table));
  for (const v of veths) await attempt(() => networks.detach(v));
  for (const b of bridges) await attempt(() => networks.removeBridge(b));
  for (const c of children) c.kill('SIGKILL');
  if (webDir) await attempt(() => rm(webDir, { recursive: true, force: true }));
  if (ipForward) await attempt(() => writeFile('/proc/sys/net/ipv4/ip_forward', ipForward));
  const leftLinks = [...(await listLinks())].filter((l) => l.startsWith(tag));
  expect(leftLinks).toEqual([]);
  expect(await natTableExists(table)).toBe(false);
  expect(errors).toEqual([]);
});

describe('linux networks', () => {
  it('creates the bridge idempotently, up, with the gateway address and route_localnet', async () => {
    await networks.createBridge(netSpec);
    await networks.createBridge(netSpec);
    const [link] = JSON.parse(await runTool('ip', ['-j', 'addr', 'show', 'dev', netSpec.bridge])) as any[];
    expect(link.flags).toContain('UP');
    expect(link.linkinfo?.info_kind ?? (await readFile(`/sys/class/net/${netSpec.bridge}/uevent`, 'utf8'))).toMatch(
      /bridge/,
    );
    expect(link.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(
      [`${gateway}/24`],
    );
    expect((await readFile(`/proc/sys/net/ipv4/conf/${netSpec.bridge}/route_localnet`, 'utf8')).trim()).toBe('1');
    expect((await listLinks()).has(netSpec.bridge)).toBe(true);
    expect(await takenSubnets()).toContain(subnet);
  });

  it('attaches a netns process: address, lo, default route, reachable by ping', async () => {
    await networks.attach(pid, ep);
    const addrs = JSON.parse(await inNetns(pid, ['ip', '-j', 'addr'])) as any[];
    const eth0 = addrs.find((l) => l.ifname === 'eth0');
    const lo = addrs.find((l) => l.ifname === 'lo');
    expect(eth0.flags).toContain('UP');
    expect(eth0.addr_info.some((a: any) => a.local === cip && a.prefixlen === 24)).toBe(true);
    expect(lo.flags).toContain('UP');
    const routes = JSON.parse(await inNetns(pid, ['ip', '-j', '-4', 'route'])) as any[];
    expect(routes).toContainEqual(expect.objectContaining({ dst: 'default', gateway, dev: 'eth0' }));
    const master = JSON.parse(await runTool('ip', ['-j', 'link', 'show', 'master', netSpec.bridge])) as any[];
    expect(master.map((l) => l.ifname)).toEqual([ep.hostVeth]);
    await runTool('busybox', ['ping', '-c1', '-W1', cip]);
  });

  it('leaves no host veth behind when an attach fails', async () => {
    const bad: Endpoint = {
      ...ep,
      hostVeth: `${tag}v1`,
      ifname: 'eth1',
      ip: `10.213.${x}.3`,
      gateway: '10.213.254.254',
    };
    veths.add(bad.hostVeth);
    // The gateway is outside the subnet: the last request (the default route) fails.
    const unreachable = await networks.attach(pid, bad).catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(NetlinkError);
    expect((unreachable as NetlinkError).message).toMatch(
      /^RTM_NEWROUTE default via 10\.213\.254\.254 failed: ENETUNREACH/,
    );
    expect((await listLinks()).has(bad.hostVeth)).toBe(false);
    expect(JSON.parse(await inNetns(pid, ['ip', '-j', 'link', 'show'])).map((l: any) => l.ifname)).not.toContain(
      'eth1',
    );
    // The peer name is taken in the netns: the single link add fails as a whole.
    veths.add(`${tag}v2`);
    const taken = await networks.attach(pid, { ...ep, hostVeth: `${tag}v2` }).catch((e: unknown) => e);
    expect(taken).toBeInstanceOf(SyscallError);
    expect((taken as SyscallError).code).toBe('EEXIST');
    expect((taken as Error).message).toMatch(new RegExp(`^RTM_NEWLINK veth ${tag}v2 failed: EEXIST \\(File exists`));
    expect((await listLinks()).has(`${tag}v2`)).toBe(false);
    await expect(networks.attach(pid, { ...ep, hostVeth: 'eth0' })).rejects.toThrow(/stack link name/);
  });

  it('attach into a process that does not exist fails typed and leaves nothing', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.on('exit', r));
    const hv = `${tag}v3`;
    veths.add(hv);
    const err = await networks.attach(gone.pid!, { ...ep, hostVeth: hv }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SyscallError);
    expect((err as SyscallError).code).toBe('ENOENT');
    expect((err as Error).message).toContain(`/proc/${gone.pid}/ns/net`);
    // A missing bridge is named in the error too.
    const noBridge = await networks.attach(pid, { ...ep, bridge: `${tag}nob`, hostVeth: hv }).catch((e: unknown) => e);
    expect(noBridge).toBeInstanceOf(SyscallError);
    expect((noBridge as Error).message).toMatch(new RegExp(`${tag}nob.*ENODEV`));
    expect([...(await listLinks())].filter((l) => l.startsWith(`${tag}v3`) || l.startsWith(`${tag}nob`))).toEqual([]);
  });

  it('createBridge repairs a bridge that is down or lost its address, and refuses a non-bridge', async () => {
    await runTool('ip', ['link', 'set', 'dev', netSpec.bridge, 'down']);
    await runTool('ip', ['addr', 'flush', 'dev', netSpec.bridge]);
    await writeFile(`/proc/sys/net/ipv4/conf/${netSpec.bridge}/route_localnet`, '0');
    await networks.createBridge(netSpec);
    const [link] = JSON.parse(await runTool('ip', ['-j', 'addr', 'show', 'dev', netSpec.bridge])) as any[];
    expect(link.flags).toContain('UP');
    expect(link.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => `${a.local}/${a.prefixlen}`)).toEqual(
      [`${gateway}/24`],
    );
    expect((await readFile(`/proc/sys/net/ipv4/conf/${netSpec.bridge}/route_localnet`, 'utf8')).trim()).toBe('1');
    // The container's link stayed on the bridge throughout.
    const master = JSON.parse(await runTool('ip', ['-j', 'link', 'show', 'master', netSpec.bridge])) as any[];
    expect(master.map((l) => l.ifname)).toEqual([ep.hostVeth]);

    // A veth pair (no dummy module on every kernel) under the bridge's would-be name.
    const other = `${tag}nb`;
    bridges.add(other);
    await runTool('ip', ['link', 'add', 'name', other, 'type', 'veth', 'peer', 'name', `${tag}np`]);
    await expect(networks.createBridge({ ...netSpec, bridge: other })).rejects.toThrow(/exists and is not a bridge/);
    await networks.removeBridge(other);
  });

  it("refuses to adopt a bridge that holds another network's address (the same custom bridge name in two stacks)", async () => {
    // Another stack's network took the name first (com.docker.network.bridge.name), on its own subnet.
    const taken = `${tag}cb`;
    bridges.add(taken);
    const theirs: NetworkSpec = {
      ...netSpec,
      project: 'first',
      bridge: taken,
      subnet: '10.214.1.0/24',
      gateway: '10.214.1.1',
    };
    await networks.createBridge(theirs);
    await expect(networks.createBridge({ ...netSpec, bridge: taken })).rejects.toThrow(
      new RegExp(`bridge ${taken} exists with address 10\\.214\\.1\\.1/24, not ${gateway.replace(/\./g, '\\.')}/24`),
    );
    // Theirs is left as it was: one address, its own.
    const [link] = JSON.parse(await runTool('ip', ['-j', 'addr', 'show', 'dev', taken])) as any[];
    expect(link.addr_info.filter((a: any) => a.family === 'inet').map((a: any) => a.local)).toEqual(['10.214.1.1']);
    await networks.removeBridge(taken);
  });

  it('publishes a container port on 127.0.0.1 through DNAT, and replaces the table atomically', async () => {
    webDir = await mkdtemp(path.join(os.tmpdir(), 'stkt-web-'));
    await writeFile(path.join(webDir, 'index.html'), `hello from ${tag}\n`);
    children.push(
      spawn('nsenter', [`--net=/proc/${pid}/ns/net`, 'busybox', 'httpd', '-f', '-p', '80', '-h', webDir], {
        stdio: 'ignore',
      }),
    );
    const port1 = await freeLoopbackPort();
    const spec: NatSpec = {
      project: tag,
      table,
      hash: '1',
      networks: [{ bridge: netSpec.bridge, subnet }],
      ports: [
        {
          service: 'web',
          container: `${tag}-web-1`,
          protocol: 'tcp',
          hostPort: port1,
          containerIp: cip,
          containerPort: 80,
        },
      ],
    };
    await nat.apply(spec);
    expect(await natTableIntact(spec)).toBe(true);
    expect((await readFile('/proc/sys/net/ipv4/ip_forward', 'utf8')).trim()).toBe('1');
    expect(await getWithRetry(`http://127.0.0.1:${port1}/index.html`)).toBe(`hello from ${tag}\n`);

    // Re-apply with a different port bound to 127.0.0.1 only: the old rule must be gone.
    const port2 = await freeLoopbackPort();
    await nat.apply({ ...spec, hash: '2', ports: [{ ...spec.ports[0]!, hostIp: '127.0.0.1', hostPort: port2 }] });
    expect(await get(`http://127.0.0.1:${port2}/index.html`)).toBe(`hello from ${tag}\n`);
    await expect(get(`http://127.0.0.1:${port1}/index.html`)).rejects.toThrow(/ECONNREFUSED/);
    const text = await runTool('nft', ['list', 'table', 'ip', table]);
    expect(text).toContain(`comment "${tag}/web"`);
    expect(text).not.toContain(`dport ${port1} `);
    // Observe tells a table as stack wrote it from one whose rules were flushed.
    const applied = { ...spec, hash: '2', ports: [{ ...spec.ports[0]!, hostIp: '127.0.0.1', hostPort: port2 }] };
    expect(await natTableIntact(applied)).toBe(true);
    await runTool('nft', ['flush', 'table', 'ip', table]);
    expect(await natTableExists(table)).toBe(true);
    expect(await natTableIntact(applied)).toBe(false);
    await nat.apply(applied);

    // A bad spec is rejected before nft runs; the table stays as it was.
    await expect(nat.apply({ ...spec, ports: [{ ...spec.ports[0]!, containerIp: 'localhost' }] })).rejects.toThrow(
      /invalid IPv4/,
    );
    expect(await natTableExists(table)).toBe(true);

    await nat.remove(table);
    await nat.remove(table); // absent: no error
    expect(await natTableExists(table)).toBe(false);
  });

  it('detach and removeBridge remove what exists and accept what is absent', async () => {
    await networks.detach(ep.hostVeth);
    await networks.detach(ep.hostVeth);
    await networks.removeBridge(netSpec.bridge);
    await networks.removeBridge(netSpec.bridge);
    const links = await listLinks();
    expect(links.has(ep.hostVeth)).toBe(false);
    expect(links.has(netSpec.bridge)).toBe(false);
  });

  it('repeats createBridge, attach, nat.apply, detach and removeBridge, each cycle leaving nothing', async () => {
    // Their speed is measured by bench/network.mjs (attach, detach, nat.apply), not asserted here.
    const b = `${tag}bm`;
    bridges.add(b);
    for (let i = 0; i < 5; i++) {
      await networks.createBridge({ ...netSpec, bridge: b });
      const p = await netnsProcess();
      const v = `${tag}m${i}`;
      veths.add(v);
      await networks.attach(p, { ...ep, bridge: b, hostVeth: v });
      const master = JSON.parse(await runTool('ip', ['-j', 'link', 'show', 'master', b])) as any[];
      expect(master.map((l) => l.ifname)).toEqual([v]);
      await nat.apply({ project: tag, table, hash: String(i), networks: [{ bridge: b, subnet }], ports: [] });
      expect(await natTableExists(table)).toBe(true);
      await networks.detach(v);
      await networks.removeBridge(b);
      const links = await listLinks();
      expect(links.has(v)).toBe(false);
      expect(links.has(b)).toBe(false);
      children.pop()!.kill('SIGKILL');
    }
    await nat.remove(table);
  });
});

describe('runTool', () => {
  it('returns stdout, feeds stdin, and rejects with a typed error carrying stderr', async () => {
    expect(await runTool('cat', [], 'in\n')).toBe('in\n');
    const missing = await runTool('stk-no-such-tool', ['a']).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ToolError);
    expect((missing as ToolError).exitCode).toBeNull();
    // `nft -c` only checks the input, it changes nothing.
    const bad = await runTool('nft', ['-c', '-f', '-'], 'table ip stk_x { chain c { bogus } }\n').catch(
      (e: unknown) => e,
    );
    expect(bad).toBeInstanceOf(ToolError);
    expect((bad as ToolError).exitCode).toBe(1);
    expect((bad as ToolError).message).toContain((bad as ToolError).stderr.trim().split('\n')[0]);
  });
});
