// `stack run`'s container against the recording FakeHost: it is launched as `up` launches
// every container (loopback for network_mode none, veths and the fixed resolver otherwise),
// attached, its exit is recorded, and `--rm` removes it as a container.remove does.

import { describe, expect, it } from 'vitest';
import { FakeHost } from '../../executor/fake-host.js';
import { ContainerStartError, type ContainerExit } from '../../executor/host.js';
import { runOneOff, type OneOffOptions, type OneOffOutcome } from '../../executor/one-off.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec, Endpoint, PortRule } from '../../model/plan.js';

const endpoint: Endpoint = {
  network: 'default',
  bridge: 'stkb0000000001',
  hostVeth: 'stkvrun',
  ifname: 'eth0',
  ip: '10.123.0.9',
  prefixLength: 24,
  gateway: '10.123.0.1',
  defaultRoute: true,
};

const published: PortRule = {
  service: 'app',
  container: 'p-app-run-abc123',
  protocol: 'tcp',
  hostPort: 18080,
  containerIp: '10.123.0.9',
  containerPort: 80,
};

function spec(endpoints: Endpoint[]): ContainerSpec {
  return {
    ...defaultRuntimeOptions(),
    project: 'p',
    service: 'app',
    name: 'p-app-run-abc123',
    hostname: 'app',
    image: { ref: 'stack.local/busybox:latest', id: 'sha256:x', layers: [] },
    argv: ['sh'],
    env: [],
    cwd: '/',
    hosts: [],
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hash: 'h',
    endpoints,
    // As the planner gives a container with a network of its own (plan-endpoints.ts).
    ...(endpoints.length === 0 ? { networkMode: 'none' } : { resolvConf: ['nameserver 127.0.0.11'] }),
  };
}

/** Runs the one-off; the container exits with `exit` once it was released. */
async function run(
  host: FakeHost,
  s: ContainerSpec,
  opts: OneOffOptions,
  exit: Partial<ContainerExit> = {},
): Promise<OneOffOutcome> {
  const outcome = runOneOff(s, host, opts);
  while (!host.calls.includes(`containers.release ${s.name}`)) await new Promise((r) => setImmediate(r));
  host.emitExit({ project: s.project, name: s.name, exitCode: 0, ...exit });
  return outcome;
}

describe('runOneOff', () => {
  it('brings lo up for network_mode none, attaches, and with remove takes it down once it exited, with no exit record, stop mark or stop', async () => {
    const host = new FakeHost();
    const s = spec([]);
    await host.state.saveContainer('p', { spec: s, status: 'creating' });
    const spawned: number[] = [];
    expect(await run(host, s, { remove: true, onSpawned: (pid) => spawned.push(pid) }, { exitCode: 5 })).toEqual({
      exitCode: 5,
    });
    expect(spawned).toEqual([1000]);
    expect(host.calls).toEqual([
      `state.saveContainer ${s.name} creating`,
      `containers.prepare ${s.name}`,
      `containers.spawn ${s.name} attached`,
      `state.saveContainer ${s.name} starting`,
      'networks.loopback 1000',
      `containers.release ${s.name}`,
      `state.updateContainer ${s.name} running`,
      // Its process ended and was reaped here: the record is about to go, nothing can restart
      // it, and the cleanup's cgroup kill takes whatever is left (stop-container.ts).
      `containers.cleanup ${s.name}`,
      `state.removeContainer ${s.name}`,
    ]);
  });

  it('wires a one-off of a service as up does (veth, fixed resolver) and keeps it, exited, without remove', async () => {
    const host = new FakeHost();
    const s = spec([endpoint]);
    await host.state.saveContainer('p', { spec: s, status: 'creating' });
    expect(await run(host, s, { remove: false }, { exitCode: 137, oomKilled: true })).toEqual({ exitCode: 137 });
    expect(host.calls.slice(3, 6)).toEqual([
      'state.saveContainer p-app-run-abc123 starting',
      'networks.attach 1000 stkvrun eth0 10.123.0.9/24',
      'networks.fixedResolver 1000 10.123.0.1',
    ]);
    expect(host.calls.at(-1)).toBe(`state.updateContainer ${s.name} exited`);
    expect(await host.state.loadContainer('p', s.name)).toMatchObject({
      status: 'exited',
      exitCode: 137,
      oomKilled: true,
    });
  });

  it('installs no fixed resolver for a container given the host resolv.conf (a build step): none listens behind its gateway', async () => {
    const host = new FakeHost();
    const s = { ...spec([endpoint]), resolvConf: [] };
    await host.state.saveContainer('p', { spec: s, status: 'creating' });
    await run(host, s, { remove: true }, { exitCode: 0 });
    expect(host.calls).toContain('networks.attach 1000 stkvrun eth0 10.123.0.9/24');
    expect(host.calls.filter((c) => c.startsWith('networks.fixedResolver'))).toEqual([]);
  });

  it("answers with the exit code and the init stage's words when the command cannot be started", async () => {
    const host = new FakeHost();
    const s = spec([]);
    const refusal = new ContainerStartError(s.name, 'lookup', 'executable file not found in $PATH: nope');
    host.containers.release = async (_project, name) => {
      host.calls.push(`containers.release ${name}`);
      throw refusal;
    };
    expect(await run(host, s, { remove: true }, { exitCode: 127 })).toEqual({ exitCode: 127, startError: refusal });
    expect(host.calls.slice(-3)).toEqual([
      `containers.release ${s.name}`,
      `containers.cleanup ${s.name}`,
      `state.removeContainer ${s.name}`,
    ]);
  });

  it("fails with the host's error when the container cannot be made, and with remove leaves nothing", async () => {
    const host = new FakeHost({ failOn: ['networks.attach'] });
    const s = spec([endpoint]);
    await expect(runOneOff(s, host, { remove: true })).rejects.toThrow('injected failure: networks.attach');
    expect(host.calls.slice(-4)).toEqual([
      `containers.stop ${s.name} SIGKILL 0`,
      'networks.detach stkvrun',
      `containers.cleanup ${s.name}`,
      `state.removeContainer ${s.name}`,
    ]);
  });

  it('with remove leaves nothing when its ports cannot be published, as docker removes a --rm container whose start failed', async () => {
    const host = new FakeHost({ failOn: ['nat.publish'] });
    const s = { ...spec([endpoint]), oneOffPorts: [published] };
    await host.state.saveContainer('p', { spec: s, status: 'creating' });
    await expect(runOneOff(s, host, { remove: true })).rejects.toThrow('injected failure: nat.publish');
    expect(await host.state.loadContainer('p', s.name)).toBeUndefined();
    expect(host.calls.at(-1)).toBe(`state.removeContainer ${s.name}`);
  });

  it('removes the tables of one-offs whose `stack run` died before their spawn before it publishes its own', async () => {
    const host = new FakeHost();
    const s = { ...spec([endpoint]), oneOffPorts: [published] };
    await host.state.saveContainer('p', { spec: s, status: 'creating' });
    await run(host, s, { remove: true, lapsedTables: ['stk_p_000000_run_dead01'] });
    const unpublished = host.calls.indexOf('nat.unpublish stk_p_000000_run_dead01');
    expect(unpublished).toBeGreaterThan(-1);
    expect(unpublished).toBeLessThan(host.calls.findIndex((c) => c.startsWith('nat.publish ')));
  });
});
