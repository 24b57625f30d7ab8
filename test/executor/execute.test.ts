// The executor against the recording FakeHost: the exact side effects of each operation,
// their order along the plan's DAG, and what a failure does to the rest.

import { describe, expect, it } from 'vitest';
import { execute, ApplyError } from '../../executor/execute.js';
import { FakeHost } from '../../executor/fake-host.js';
import { NAT_UNAPPLIED } from '../../executor/apply-operation.js';
import type { ProgressEvent } from '../../executor/reporter.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec, Operation, Plan } from '../../model/plan.js';
import { emptyObserved } from '../../model/observed.js';
import { teardown } from '../../planner/plan/teardown.js';

const net = {
  project: 'p',
  key: 'default',
  name: 'p_default',
  bridge: 'stkb0000000001',
  subnet: '10.123.0.0/24',
  gateway: '10.123.0.1',
  prefixLength: 24,
};

function spec(service: string, ip: string): ContainerSpec {
  return {
    ...defaultRuntimeOptions(),
    project: 'p',
    service,
    name: `p-${service}-1`,
    hostname: service,
    image: { ref: 'stack.local/busybox:latest', id: 'sha256:x', layers: [] },
    argv: ['sh'],
    env: [],
    cwd: '/',
    hosts: [],
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hash: service,
    // As the planner gives a container with a network of its own (plan-endpoints.ts).
    resolvConf: ['nameserver 127.0.0.11'],
    endpoints: [
      {
        network: 'default',
        bridge: net.bridge,
        hostVeth: `stkv${service}`,
        ifname: 'eth0',
        ip,
        prefixLength: 24,
        gateway: net.gateway,
        defaultRoute: true,
      },
    ],
  };
}

const upPlan: Plan = {
  project: 'p',
  notes: [],
  operations: [
    {
      kind: 'container.start',
      id: 'start:client',
      cause: 'c',
      after: ['network:default', 'start:web'],
      container: spec('client', '10.123.0.3'),
    },
    {
      kind: 'container.start',
      id: 'start:web',
      cause: 'c',
      after: ['network:default'],
      container: spec('web', '10.123.0.2'),
    },
    { kind: 'network.create', id: 'network:default', cause: 'c', after: [], network: net },
  ],
};

describe('execute', () => {
  it('carries out a container start as record → prepare → spawn → record → attach → release → running', async () => {
    const host = new FakeHost();
    await execute({ ...upPlan, operations: [upPlan.operations[2], upPlan.operations[1]] }, host, { event: () => {} });
    expect(host.calls).toEqual([
      'state.saveNetwork default',
      'networks.createBridge stkb0000000001 10.123.0.1/24',
      'state.saveContainer p-web-1 creating',
      'containers.prepare p-web-1',
      'containers.spawn p-web-1',
      'state.saveContainer p-web-1 starting',
      'networks.attach 1000 stkvweb eth0 10.123.0.2/24',
      'networks.fixedResolver 1000 10.123.0.1',
      'containers.release p-web-1',
      'state.updateContainer p-web-1 running',
    ]);
  });

  it('hands the IPv6 side of a network and an endpoint to the host with the IPv4 one', async () => {
    const host = new FakeHost();
    const net6 = { ...net, subnet6: 'fd00:1::/64', gateway6: 'fd00:1::1', prefixLength6: 64 };
    const web = spec('web', '10.123.0.2');
    web.endpoints[0] = { ...web.endpoints[0]!, ip6: 'fd00:1::2', prefixLength6: 64, gateway6: 'fd00:1::1' };
    await execute(
      {
        project: 'p',
        notes: [],
        operations: [
          { kind: 'network.create', id: 'network:default', cause: 'c', after: [], network: net6 },
          { kind: 'container.start', id: 'start:web', cause: 'c', after: ['network:default'], container: web },
        ],
      },
      host,
      { event: () => {} },
    );
    expect(host.calls).toContain('networks.createBridge stkb0000000001 10.123.0.1/24 fd00:1::1/64');
    expect(host.calls).toContain('networks.attach 1000 stkvweb eth0 10.123.0.2/24 fd00:1::2/64');
  });

  it('follows `after` whatever the list order', async () => {
    const host = new FakeHost();
    await execute(upPlan, host, { event: () => {} });
    const order = host.calls.filter((c) => c.startsWith('networks.createBridge') || c.startsWith('containers.release'));
    expect(order).toEqual([
      'networks.createBridge stkb0000000001 10.123.0.1/24',
      'containers.release p-web-1',
      'containers.release p-client-1',
    ]);
  });

  it('a failure skips what waits on it, finishes the rest, and throws ApplyError', async () => {
    const host = new FakeHost({ failOn: ['containers.spawn p-web-1'] });
    const events: ProgressEvent[] = [];
    const independent: Operation = {
      kind: 'nat.apply',
      id: 'nat',
      cause: 'c',
      after: ['network:default'],
      nat: { project: 'p', table: 'stk_p', networks: [], ports: [], hash: 'h' },
    };
    const err = await execute({ ...upPlan, operations: [...upPlan.operations, independent] }, host, {
      event: (e) => events.push(e),
    }).catch((e) => e);
    expect(err).toBeInstanceOf(ApplyError);
    expect((err as ApplyError).failures.map((f) => f.id)).toEqual(['start:web']);
    expect(events).toContainEqual({
      type: 'skipped',
      id: 'start:client',
      reason: 'waits for start:web, which did not succeed',
    });
    expect(host.calls).toContain('nat.apply stk_p 0 ports');
    expect(host.calls.some((c) => c.includes('p-client-1'))).toBe(false);
  });

  it('records a NAT hash only once its rules are applied, so a failed or interrupted apply is redone', async () => {
    const nat: Operation = {
      kind: 'nat.apply',
      id: 'nat',
      cause: 'c',
      after: [],
      nat: { project: 'p', table: 'stk_p', networks: [], ports: [], hash: 'h2' },
    };
    const ok = new FakeHost();
    await execute({ project: 'p', notes: [], operations: [nat] }, ok, { event: () => {} });
    expect(ok.calls).toEqual([
      `state.saveNat stk_p ${NAT_UNAPPLIED}`,
      'nat.apply stk_p 0 ports',
      'state.saveNat stk_p h2',
    ]);
    const failing = new FakeHost({ failOn: ['nat.apply'] });
    await expect(execute({ project: 'p', notes: [], operations: [nat] }, failing, { event: () => {} })).rejects.toThrow(
      ApplyError,
    );
    expect(failing.calls.filter((c) => c.startsWith('state.saveNat'))).toEqual([
      `state.saveNat stk_p ${NAT_UNAPPLIED}`,
    ]);
  });

  it('removes a container: stop, detach its veths, cleanup, then forget its record', async () => {
    const host = new FakeHost();
    await execute(
      {
        project: 'p',
        notes: [],
        operations: [
          {
            kind: 'container.remove',
            id: 'rm',
            cause: 'down',
            after: [],
            project: 'p',
            name: 'p-web-1',
            stopSignal: 'SIGTERM',
            stopGraceSeconds: 3,
            hostVeths: ['stkvweb'],
          },
        ],
      },
      host,
      { event: () => {} },
    );
    expect(host.calls).toEqual([
      'containers.stop p-web-1 SIGTERM 3',
      'networks.detach stkvweb',
      'containers.cleanup p-web-1',
      'state.removeContainer p-web-1',
    ]);
  });

  it('keeps an exit recorded while the start was finishing', async () => {
    const host = new FakeHost();
    const original = host.containers.release;
    host.containers.release = async (project, name) => {
      await original(project, name);
      await host.state.updateContainer(project, name, (r) => ({ ...r, status: 'exited', exitCode: 0 }));
    };
    await execute({ ...upPlan, operations: [upPlan.operations[2], upPlan.operations[1]] }, host, { event: () => {} });
    expect((await host.state.loadContainer('p', 'p-web-1'))?.status).toBe('exited');
  });

  it('down -v removes the stack volumes only after the containers that used them', async () => {
    const host = new FakeHost();
    const observed = {
      ...emptyObserved('p'),
      containers: [
        {
          name: 'p-web-1',
          service: 'web',
          hash: 'h',
          running: true,
          stopSignal: 'SIGTERM',
          stopGraceSeconds: 0,
          endpoints: [],
        },
      ],
      volumes: [
        { name: 'p_data', project: 'p', anonymous: false },
        { name: 'ext', anonymous: false },
      ],
    };
    await execute(teardown(observed, { removeVolumes: true }), host, { event: () => {} });
    expect(host.calls).toEqual([
      'containers.stop p-web-1 SIGTERM 0',
      'containers.cleanup p-web-1',
      'state.removeContainer p-web-1',
      'volumes.remove p_data',
      'state.forget p',
    ]);
  });
  describe('releaseAfter: a dependency gates only the command', () => {
    const gated: Plan = {
      project: 'p',
      notes: [],
      operations: [
        { kind: 'network.create', id: 'network:default', cause: 'c', after: [], network: net },
        {
          kind: 'container.start',
          id: 'start:web',
          cause: 'c',
          after: ['network:default'],
          container: spec('web', '10.123.0.2'),
        },
        {
          kind: 'container.start',
          id: 'start:client',
          cause: 'c',
          after: ['network:default'],
          releaseAfter: ['start:web'],
          container: spec('client', '10.123.0.3'),
        },
      ],
    };

    it('makes the dependent at once but runs its command only after the dependency started', async () => {
      const host = new FakeHost();
      await execute(gated, host, { event: () => {} });
      const i = (call: string) => host.calls.indexOf(call);
      // Both are made before either runs: the client's init stage boots alongside the web's.
      expect(i('containers.spawn p-client-1')).toBeLessThan(i('containers.release p-web-1'));
      expect(i('state.updateContainer p-web-1 running')).toBeLessThan(i('containers.release p-client-1'));
    });

    it('takes the dependent down unstarted when the dependency fails, and says why', async () => {
      const host = new FakeHost({ failOn: ['containers.release p-web-1'] });
      const events: ProgressEvent[] = [];
      const err = await execute(gated, host, { event: (e) => events.push(e) }).catch((e) => e);
      expect(events).toContainEqual({
        type: 'failed',
        id: 'start:client',
        message: 'client not started: dependency web failed to start',
      });
      expect((err as ApplyError).failures.map((f) => [f.id, f.error.message])).toEqual([
        ['start:web', 'injected failure: containers.release p-web-1'],
        ['start:client', 'client not started: dependency web failed to start'],
      ]);
      const client = host.calls.filter((c) => c.includes('p-client-1') || c.includes('stkvclient'));
      expect(client.slice(-4)).toEqual([
        'containers.stop p-client-1 SIGKILL 0',
        'networks.detach stkvclient',
        'containers.cleanup p-client-1',
        'state.removeContainer p-client-1',
      ]);
      expect(client).not.toContain('containers.release p-client-1');
    });

    it('does not deadlock when a chain of gated starts is longer than the concurrency', async () => {
      const chain: Operation[] = Array.from({ length: 8 }, (_, n) => ({
        kind: 'container.start',
        id: `start:s${n}`,
        cause: 'c',
        after: [],
        container: { ...spec(`s${n}`, `10.123.0.${n + 2}`) },
        ...(n > 0 ? { releaseAfter: [`start:s${n - 1}`] } : {}),
      }));
      const host = new FakeHost();
      await execute(
        { project: 'p', notes: [], operations: chain.reverse() },
        host,
        { event: () => {} },
        { concurrency: 2 },
      );
      expect(host.calls.filter((c) => c.startsWith('containers.release'))).toEqual(
        Array.from({ length: 8 }, (_, n) => `containers.release p-s${n}-1`),
      );
    });
  });
});
