// The plan of `stack boot` from records and what the host still has: docker's rule for
// which containers come back, the objects a reboot took made again first, containers that
// survived a partial "reboot" on a remade bridge rewired, and the order stacks boot in.

import { describe, expect, it } from 'vitest';
import { bootOrder, bootPlan, comesBackAtBoot, type BootRecords } from '../../planner/plan/boot-plan.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import { emptyObserved, type ObservedContainer, type Observed } from '../../model/observed.js';
import type { ContainerSpec, NatSpec, NetworkSpec } from '../../model/plan.js';
import type { RestartPolicyName } from '../../model/types.js';

const net: NetworkSpec = {
  project: 'p',
  key: 'default',
  name: 'p_default',
  bridge: 'stkbp',
  subnet: '10.123.1.0/24',
  gateway: '10.123.1.1',
  prefixLength: 24,
};
const nat: NatSpec = {
  project: 'p',
  table: 'stk_p',
  networks: [{ bridge: 'stkbp', subnet: '10.123.1.0/24' }],
  ports: [],
  hash: 'n1',
};

const spec = (service: string, restart: RestartPolicyName, networkMode?: string): ContainerSpec => ({
  ...defaultRuntimeOptions(),
  project: 'p',
  service,
  name: `p-${service}-1`,
  hostname: service,
  image: { ref: 'r', id: 'i', layers: [] },
  argv: ['sh'],
  env: [],
  cwd: '/',
  hosts: [],
  endpoints: networkMode
    ? []
    : [
        {
          network: 'default',
          bridge: 'stkbp',
          hostVeth: `stkv${service}`,
          ifname: 'eth0',
          ip: '10.123.1.2',
          prefixLength: 24,
          gateway: '10.123.1.1',
          defaultRoute: true,
        },
      ],
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 3,
  hash: 'h',
  restart: { name: restart },
  ...(networkMode ? { networkMode } : {}),
});

const seen = (s: ContainerSpec, running: boolean, present = true): ObservedContainer => ({
  name: s.name,
  service: s.service,
  hash: s.hash,
  running,
  stopSignal: s.stopSignal,
  stopGraceSeconds: s.stopGraceSeconds,
  endpoints: s.endpoints.map((e) => ({ network: e.network, ip: e.ip, hostVeth: e.hostVeth, present })),
});

function observed(over: Partial<Observed>): Observed {
  return { ...emptyObserved('p'), ...over };
}

const summary = (records: BootRecords, o: Observed) =>
  bootPlan(o, records).operations.map((op) => `${op.id} after ${op.after.join(',') || '-'}`);

describe('comesBackAtBoot', () => {
  it("is docker's rule at daemon start", () => {
    expect(comesBackAtBoot('always', false)).toBe(true);
    expect(comesBackAtBoot('always', true)).toBe(true);
    expect(comesBackAtBoot('unless-stopped', false)).toBe(true);
    expect(comesBackAtBoot('unless-stopped', true)).toBe(false);
    for (const stopped of [false, true]) {
      expect(comesBackAtBoot('no', stopped)).toBe(false);
      expect(comesBackAtBoot('on-failure', stopped)).toBe(false);
    }
  });
});

describe('bootPlan', () => {
  it('after a reboot: the bridge and table first, then the containers that come back', () => {
    const specs = [
      spec('web', 'always'),
      spec('api', 'unless-stopped'),
      spec('held', 'unless-stopped'),
      spec('once', 'no'),
      spec('retry', 'on-failure'),
    ];
    const records: BootRecords = {
      networks: [net],
      nat,
      containers: specs.map((s) => ({ spec: s, ...(s.service === 'held' ? { stopped: true } : {}) })),
    };
    const o = observed({
      containers: specs.map((s) => seen(s, false, false)),
      networks: [
        {
          key: 'default',
          name: 'p_default',
          bridge: 'stkbp',
          subnet: net.subnet,
          gateway: net.gateway,
          linkPresent: false,
        },
      ],
      nat: { table: 'stk_p', hash: 'n1', present: false },
    });
    expect(summary(records, o)).toEqual([
      'network:default after -',
      'nat after network:default',
      'resume:p-web-1 after network:default,nat',
      'resume:p-api-1 after network:default,nat',
    ]);
  });

  it('after a reboot, a container on the default bridge (network_mode bridge) waits for its join', () => {
    const web = spec('web', 'always');
    const onBridge: ContainerSpec = {
      ...web,
      endpoints: web.endpoints.map((e) => ({ ...e, network: 'bridge', bridge: 'stkbd123456789' })),
    };
    const shared = { ...net, key: 'bridge', name: 'bridge', bridge: 'stkbd123456789' };
    const records: BootRecords = { networks: [], containers: [{ spec: onBridge }] };
    const bridge = {
      bridge: 'stkbd123456789',
      table: 'stk_default_bridge_123456',
      spec: shared,
      users: ['p'],
      present: false,
      leftover: true,
      usedIps: [],
    };
    const o = observed({ containers: [seen(onBridge, false, false)], defaultBridge: bridge });
    expect(summary(records, o)).toEqual(['network:bridge after -', 'resume:p-web-1 after network:bridge']);
    expect(bootPlan(o, records).operations[0]).toMatchObject({ kind: 'bridge.join', project: 'p', network: shared });
    // Made already by another stack's boot, and this stack still marked: nothing to join.
    expect(
      summary(
        records,
        observed({ containers: [seen(onBridge, false, false)], defaultBridge: { ...bridge, present: true } }),
      ),
    ).toEqual(['resume:p-web-1 after -']);
  });

  it('with everything in place and running: nothing to do, and says so', () => {
    const s = spec('web', 'always');
    const plan = bootPlan(
      observed({
        containers: [seen(s, true)],
        networks: [
          {
            key: 'default',
            name: 'p_default',
            bridge: 'stkbp',
            subnet: net.subnet,
            gateway: net.gateway,
            linkPresent: true,
          },
        ],
        nat: { table: 'stk_p', hash: 'n1', present: true },
      }),
      { networks: [net], nat, containers: [{ spec: s }] },
    );
    expect(plan.operations).toEqual([]);
    expect(plan.notes).toEqual(['stack p: nothing to bring back (what must run runs)']);
  });

  it('rewires a container that survived on a bridge that is made again, whatever its policy', () => {
    const s = spec('once', 'no');
    const o = observed({
      containers: [seen(s, true)],
      networks: [
        {
          key: 'default',
          name: 'p_default',
          bridge: 'stkbp',
          subnet: net.subnet,
          gateway: net.gateway,
          linkPresent: false,
        },
      ],
    });
    expect(summary({ networks: [net], containers: [{ spec: s }] }, o)).toEqual([
      'network:default after -',
      'stop:p-once-1 after -',
      'resume:p-once-1 after network:default,stop:p-once-1',
    ]);
  });

  it("starts a container that joins another's network namespace after that one", () => {
    const main = spec('main', 'always');
    const side = spec('side', 'always', 'container:p-main-1');
    const o = observed({ containers: [seen(side, false), seen(main, false)] });
    expect(summary({ networks: [], containers: [{ spec: side }, { spec: main }] }, o)).toEqual([
      'resume:p-side-1 after resume:p-main-1',
      'resume:p-main-1 after -',
    ]);
  });
});

describe('bootOrder', () => {
  it("boots a stack whose containers join another stack's network after that stack", async () => {
    const use: Record<string, { owns: string[]; uses: string[] }> = {
      a: { owns: [], uses: ['stkbc'] },
      b: { owns: ['stkbb'], uses: ['stkbb'] },
      c: { owns: ['stkbc'], uses: ['stkbc', 'stkbb'] },
    };
    expect(await bootOrder(['a', 'b', 'c'], async (p) => use[p]!)).toEqual(['b', 'c', 'a']);
  });

  it("boots each stack once through a cycle (each joins the other's network)", async () => {
    const use: Record<string, { owns: string[]; uses: string[] }> = {
      a: { owns: ['x'], uses: ['y'] },
      b: { owns: ['y'], uses: ['x'] },
    };
    expect(await bootOrder(['a', 'b'], async (p) => use[p]!)).toEqual(['b', 'a']);
  });
});
