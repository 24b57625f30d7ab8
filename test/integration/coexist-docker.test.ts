// stack next to a running dockerd, in the case most hosts are in after a boot: dockerd is the
// one that turns ip_forward on, so it sets the iptables FORWARD policy to DROP, and
// br_netfilter shows every bridged frame to that chain. Without stack's accepts in
// DOCKER-USER (what docker documents for other software), containers of one stack could
// not reach each other by name nor leave the host. Docker must keep working too.
//
// All of it happens in a network namespace that plays the host (netns-host.ts): a FORWARD
// DROP on the real host would cut off every other stack on the machine while this runs.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerCli, startDockerd, stopDockerd, type Dockerd } from '../../bench/lib/docker-daemon.mjs';
import { makeCoexistStack, stackReach, stackReachOk, type CoexistStack } from '../support/coexist-stack.js';
import {
  brNetfilterLoaded,
  hostNetworkSettings,
  makeNetnsHost,
  restoreBrNetfilter,
  type NetnsHost,
} from '../support/netns-host.js';
import { makeOutsideHost, type OutsideHost } from '../support/outside-host.js';
import { repoRoot } from '../support/stack-cli.js';
import { inside } from '../support/stack-containers.js';

const settingsBefore = hostNetworkSettings();
const brNetfilterBefore = brNetfilterLoaded();
let host: NetnsHost;
let outside: OutsideHost;
let dockerd: Dockerd | undefined;
let s: CoexistStack;
const DOCKER_IMAGE = 'stk-busybox:test';
const [dockerLocalPort, dockerAnyPort] = [19080, 19081];
/** docker's web container: port 80 published, 81 not. */
const UNPUBLISHED_TOO = 'httpd -p 81 -h /www && exec httpd -f -p 80 -h /www';

const docker = (args: string[]) => {
  const r = spawnSync(dockerCli(), args, { env: dockerd!.env, encoding: 'utf8', timeout: 30_000 });
  return { code: r.status ?? -1, out: (r.stdout ?? '') + (r.stderr ?? '') };
};

/** The busybox test image's layer (a rootfs tar), built here, imported into the private dockerd: no pull. */
function importDockerImage(dir: string): void {
  const built = spawnSync(
    process.execPath,
    [path.join(repoRoot, 'scripts/build-busybox-image.mjs'), dir, '--page', 'hello from docker'],
    { encoding: 'utf8' },
  );
  if (built.status !== 0) throw new Error(built.stderr);
  const blob = (digest: string) => path.join(dir, 'blobs/sha256', digest.slice('sha256:'.length));
  const index = JSON.parse(fs.readFileSync(path.join(dir, 'index.json'), 'utf8')) as {
    manifests: { digest: string }[];
  };
  const manifest = JSON.parse(fs.readFileSync(blob(index.manifests[0]!.digest), 'utf8')) as {
    layers: { digest: string }[];
  };
  const r = docker(['import', '--change', 'CMD ["sh"]', blob(manifest.layers[0]!.digest), DOCKER_IMAGE]);
  if (r.code !== 0) throw new Error(`docker import: ${r.out}`);
}

const wget = (url: string) => ['timeout', '3', 'wget', '-q', '-O-', url];
/** What docker's containers must still do: egress to the outside namespace, published ports. */
function dockerReach(): Record<string, string> {
  return {
    egress: docker(['run', '--rm', DOCKER_IMAGE, ...wget(`http://${outside.ip}:${outside.httpPort}/`)]).out.trim(),
    'published port on 127.0.0.1': host.run(['busybox', ...wget(`http://127.0.0.1:${dockerLocalPort}/`)]).stdout.trim(),
    'published port from outside': outside
      .run(['busybox', ...wget(`http://${outside.hostIp}:${dockerAnyPort}/`)])
      .stdout.trim(),
  };
}
const dockerReachOk = () => ({
  egress: `you are ${outside.hostIp}`,
  'published port on 127.0.0.1': 'hello from docker',
  'published port from outside': 'hello from docker',
});

/** Lines of `iptables -S` in the namespace that carry stack's mark (its nft table's name). */
const stackIptablesRules = () =>
  host
    .must(['iptables', '-S'])
    .split('\n')
    .filter((l) => /--comment "?stk_/.test(l));

beforeAll(async () => {
  host = makeNetnsHost();
  outside = await makeOutsideHost({ hostNetns: host.name });
  // As at boot: forwarding is off until dockerd turns it on (and then sets FORWARD to DROP).
  host.must(['sysctl', '-qw', 'net.ipv4.ip_forward=0']);
  await startDockerWithWeb();
  s = makeCoexistStack(host, outside);
}, 120_000);

/** A private dockerd in the namespace (a fresh data root), with docker's web container. */
async function startDockerWithWeb(): Promise<void> {
  dockerd = await startDockerd(fs.mkdtempSync('/tmp/stk-coexist-docker-'), { wrap: host.wrap });
  importDockerImage(path.join(dockerd.dir, 'image'));
  const web = docker([
    'run',
    '-d',
    '--name',
    'stk-coexist-web',
    '-p',
    `127.0.0.1:${dockerLocalPort}:80`,
    '-p',
    `${dockerAnyPort}:80`,
    DOCKER_IMAGE,
    'sh',
    '-c',
    UNPUBLISHED_TOO,
  ]);
  if (web.code !== 0) throw new Error(`docker run: ${web.out}`);
}

async function stopDocker(): Promise<void> {
  if (!dockerd) return;
  docker(['rm', '-f', 'stk-coexist-web']);
  await stopDockerd(dockerd);
  fs.rmSync(path.dirname(dockerd.dir), { recursive: true, force: true });
  dockerd = undefined;
}

afterAll(async () => {
  s?.dispose();
  await stopDocker();
  outside?.dispose();
  host?.dispose();
  restoreBrNetfilter(brNetfilterBefore);
  // Everything happened in the namespace: the host's own settings are as they were.
  expect(hostNetworkSettings()).toEqual(settingsBefore);
}, 60_000);

describe('next to a dockerd that set the FORWARD policy to DROP', () => {
  it('dockerd turned forwarding on and set FORWARD to DROP, with br_netfilter on (the case after a boot)', () => {
    expect(host.must(['cat', '/proc/sys/net/ipv4/ip_forward']).trim()).toBe('1');
    expect(host.must(['iptables', '-S', 'FORWARD'])).toMatch(/^-P FORWARD DROP$/m);
    expect(host.must(['iptables', '-S', 'DOCKER-USER'])).toMatch(/^-N DOCKER-USER$/m);
    expect(host.must(['cat', '/proc/sys/net/bridge/bridge-nf-call-iptables']).trim()).toBe('1');
  });

  it('the stack reaches services by name and the outside, and its published ports answer', () => {
    const up = s.up();
    expect(up.code, up.stderr).toBe(0);
    expect(stackReach(s, host, outside)).toEqual(stackReachOk(outside));
  });

  it('docker keeps working next to the stack', () => {
    expect(dockerReach()).toEqual(dockerReachOk());
  });

  it("stack's accepts are in DOCKER-USER, marked with its table, for its own bridge and subnet only", () => {
    const rules = stackIptablesRules();
    expect(rules.length).toBeGreaterThan(0);
    const bridge = /-[io] (stkb[0-9a-f]{10})/.exec(rules[0]!)![1]!;
    for (const r of rules) {
      expect(r).toMatch(/^-A DOCKER-USER /);
      expect(r).toMatch(new RegExp(`-[io] ${bridge} `));
      // An accept names the stack's subnet too; traffic into docker's bridges goes back to docker's chains.
      expect(r).toMatch(/ -[sd] \d+\.\d+\.\d+\.\d+\/\d+ .*-j ACCEPT$| -o (docker0|br-\+) .*-j RETURN$/);
    }
  });

  it("a stack container reaches docker's published port, not its container's unpublished one", () => {
    const client = s.rows().find((r) => r.service === 'client')!.pid;
    const dockerIp = docker(['inspect', '-f', '{{.NetworkSettings.IPAddress}}', 'stk-coexist-web']).out.trim();
    expect(dockerIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(inside(client, wget(`http://${outside.hostIp}:${dockerAnyPort}/`)).stdout.trim()).toBe('hello from docker');
    // Port 81 is not published: docker lets no other interface reach it, and neither does stack.
    expect(inside(client, wget(`http://${dockerIp}:81/`)).code).not.toBe(0);
    expect(host.run(['busybox', ...wget(`http://${dockerIp}:81/`)]).stdout.trim()).toBe('hello from docker'); // it does listen
  });

  it('accepts deleted behind its back (docker or a firewall reloaded) come back with the next up', () => {
    for (const r of stackIptablesRules())
      host.must(['iptables', ...r.replace(/^-A /, '-D ').replace(/"/g, '').split(' ')]);
    expect(stackIptablesRules()).toEqual([]);
    const up = s.up();
    expect(up.code, up.stderr).toBe(0);
    expect(stackIptablesRules().length).toBeGreaterThan(0);
    expect(stackReach(s, host, outside)).toEqual(stackReachOk(outside));
  });

  it("dockerd restarted (it makes its chains again through iptables): stack's accepts stay, both keep working", async () => {
    await stopDocker();
    await startDockerWithWeb();
    expect(host.must(['iptables', '-S', 'FORWARD'])).toMatch(/^-P FORWARD DROP$/m);
    expect(stackIptablesRules().length).toBeGreaterThan(0);
    expect(stackReach(s, host, outside)).toEqual(stackReachOk(outside));
    expect(dockerReach()).toEqual(dockerReachOk());
    const up = s.up();
    expect(up.code, up.stderr).toBe(0);
    expect(up.stderr).not.toMatch(/drift/);
  }, 120_000);

  it('down removes every rule stack added; docker still works', () => {
    const down = s.down();
    expect(down.code, down.stderr).toBe(0);
    expect(stackIptablesRules()).toEqual([]);
    expect(host.must(['iptables', '-S', 'DOCKER-USER']).trim().split('\n')).toEqual([
      '-N DOCKER-USER',
      '-A DOCKER-USER -j RETURN',
    ]);
    expect(host.must(['nft', 'list', 'tables'])).not.toMatch(/stk_/);
    expect(dockerReach()).toEqual(dockerReachOk());
  });
});
