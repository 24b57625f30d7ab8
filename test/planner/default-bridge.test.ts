// network_mode: bridge on the host-wide default bridge (planner/plan/default-bridge.ts): one
// interface there, egress and published ports, the host's resolvers instead of the stack's,
// a join while the stack uses it and a leave (by up or down) once it does not.

import { describe, expect, it } from 'vitest';
import { emptyObserved, type Observed, type ObservedDefaultBridge } from '../../model/observed.js';
import { image } from './reconcile-fixtures.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { teardown } from '../../planner/plan/teardown.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import type { ContainerSpec, Plan } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { claimsOf, withClaims } from '../../model/claims.js';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { composeView } from '../../planner/load/compose-view.js';
import { load } from './helpers.js';

const pos = { file: 'stack.yaml', line: 1, col: 1 };
const svc = (name: string, extra: Partial<Service> = {}): Service => ({
  ...serviceDefaults(name, image.ref, pos),
  networks: [],
  ...extra,
});
const stackOf = (services: Service[]): Stack => ({
  project: 'p',
  file: '/x/stack.yaml',
  projectDir: '/x',
  services,
  networks: [],
  volumes: [],
  secrets: [],
  configs: [],
});
const bridge = (extra: Partial<ObservedDefaultBridge> = {}): ObservedDefaultBridge => ({
  bridge: 'stkbd123456789',
  table: 'stk_default_bridge_123456',
  users: [],
  present: false,
  leftover: false,
  usedIps: [],
  ...extra,
});
const observed = (extra: Partial<Observed> = {}): Observed => ({
  ...emptyObserved('p'),
  images: [image],
  takenSubnets: ['10.123.0.0/24'],
  defaultBridge: bridge(),
  ...extra,
});
const recorded = {
  project: 'other',
  key: 'bridge',
  name: 'bridge',
  bridge: 'stkbd123456789',
  subnet: '10.123.7.0/24',
  gateway: '10.123.7.1',
  prefixLength: 24,
};
const startOf = (plan: Plan, name: string): ContainerSpec =>
  plan.operations.flatMap((o) => (o.kind === 'container.start' && o.container.name === name ? [o.container] : []))[0]!;
const kinds = (plan: Plan) => plan.operations.map((o) => `${o.kind} ${o.id}`);

describe('network_mode: bridge', () => {
  it('makes the default bridge on a free subnet and puts the container there, with egress and the host resolvers', () => {
    const plan = reconcile(
      stackOf([svc('web', { networkMode: 'bridge', ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] })]),
      observed(),
    );
    const join = plan.operations.find((o) => o.kind === 'bridge.join');
    expect(join).toMatchObject({
      network: { bridge: 'stkbd123456789', subnet: '10.123.1.0/24', gateway: '10.123.1.1' },
    });
    const web = startOf(plan, 'p-web-1');
    expect(web.endpoints).toEqual([
      expect.objectContaining({ network: 'bridge', bridge: 'stkbd123456789', ip: '10.123.1.2', defaultRoute: true }),
    ]);
    // No stack resolver: an empty list is the host's resolvers (executor/host/linux/host-resolv-conf.ts).
    expect(web.resolvConf).toEqual([]);
    expect(web.networkMode).toBeUndefined();
    // The stack's own table publishes the port; the default bridge's masquerade is its own table's.
    const nat = plan.operations.find((o) => o.kind === 'nat.apply');
    expect(nat).toMatchObject({
      nat: { networks: [], ports: [expect.objectContaining({ containerIp: '10.123.1.2' })] },
    });
    expect(nat!.after).toContain(join!.id);
    expect(plan.operations.find((o) => o.kind === 'container.start')!.after).toContain(join!.id);
    // No stack network is made for it.
    expect(plan.operations.some((o) => o.kind === 'network.create')).toBe(false);
  });

  it("joins the recorded bridge on its subnet, past other stacks' addresses; no join once it is a user and the bridge is sound", () => {
    const base = observed({
      defaultBridge: bridge({ spec: recorded, users: ['other'], present: true, usedIps: ['10.123.7.2'] }),
    });
    const plan = reconcile(stackOf([svc('web', { networkMode: 'bridge' })]), base);
    expect(plan.operations.find((o) => o.kind === 'bridge.join')).toMatchObject({
      network: { subnet: '10.123.7.0/24' },
    });
    expect(startOf(plan, 'p-web-1').endpoints[0]!.ip).toBe('10.123.7.3');
    const again = reconcile(
      stackOf([svc('web', { networkMode: 'bridge' })]),
      observed({ defaultBridge: bridge({ spec: recorded, users: ['other', 'p'], present: true }) }),
    );
    expect(kinds(again).filter((k) => k.startsWith('bridge.'))).toEqual([]);
  });

  it('takes the subnet another apply in progress claims for it, so every stack plans on one bridge', () => {
    const first = reconcile(stackOf([svc('web', { networkMode: 'bridge' })]), observed());
    const claims = { project: 'first', ...claimsOf(first) };
    const second = reconcile(
      { ...stackOf([svc('api', { networkMode: 'bridge' })]), project: 'q' },
      withClaims({ ...observed(), project: 'q' }, [claims]),
    );
    const subnet = (plan: Plan) => plan.operations.find((o) => o.kind === 'bridge.join')!;
    expect(subnet(second)).toMatchObject({ network: { subnet: '10.123.1.0/24' } });
    // The first apply's container address is not handed out again.
    expect(startOf(second, 'q-api-1').endpoints[0]!.ip).toBe('10.123.1.3');
    expect(subnet(first)).toMatchObject({ network: { subnet: '10.123.1.0/24' } });
  });

  it('keeps `dns:` servers as its resolvers, and its service names out of the stack resolver', () => {
    const plan = reconcile(stackOf([svc('web', { networkMode: 'bridge', dns: ['192.0.2.53'] })]), observed());
    const web = startOf(plan, 'p-web-1');
    expect(web.resolvConf).toEqual(['nameserver 192.0.2.53']);
    expect(web.dnsUpstreams).toBeUndefined();
  });

  it('leaves the bridge when no service uses it any more, after the containers on it are gone', () => {
    const base = observed({
      defaultBridge: bridge({ spec: recorded, users: ['p'], present: true }),
      containers: [
        {
          name: 'p-web-1',
          service: 'web',
          hash: 'x',
          running: true,
          stopSignal: 'SIGTERM',
          stopGraceSeconds: 10,
          endpoints: [{ network: 'bridge', ip: '10.123.7.2', hostVeth: 'stkvx' }],
        },
      ],
    });
    const plan = reconcile(stackOf([svc('api', { networks: [], networkMode: 'none' })]), base, { removeOrphans: true });
    const leave = plan.operations.find((o) => o.kind === 'bridge.leave');
    expect(leave).toMatchObject({ project: 'p', bridge: 'stkbd123456789' });
    expect(leave!.after).toContain('remove:p-web-1');
  });

  it('down leaves it when the stack is a user, or when nobody is and something of it is left; not when others use it and this stack does not', () => {
    const leaves = (b: ObservedDefaultBridge) =>
      teardown(observed({ defaultBridge: b })).operations.filter((o) => o.kind === 'bridge.leave');
    expect(leaves(bridge({ spec: recorded, users: ['p', 'other'], present: true, leftover: true }))).toHaveLength(1);
    expect(leaves(bridge({ users: [], leftover: true }))).toHaveLength(1);
    expect(leaves(bridge({ spec: recorded, users: ['other'], present: true, leftover: true }))).toHaveLength(0);
    expect(leaves(bridge())).toHaveLength(0);
  });

  it('refuses a network of the file keyed `bridge` beside it', () => {
    const stack = {
      ...stackOf([svc('web', { networkMode: 'bridge' })]),
      networks: [
        {
          key: 'bridge',
          name: 'p_bridge',
          driver: 'bridge',
          driverOpts: {},
          internal: false,
          external: false,
          attachable: false,
          enableIpv6: false,
          labels: {},
        },
      ],
    };
    expect(() => reconcile(stack, observed())).toThrow(/network bridge: the name is the host's default bridge/);
  });
});

describe('stack run of a service in network_mode bridge', () => {
  it('is refused by name (a one-off runs no join), not run without a network', () => {
    expect(() =>
      oneOffSpec('p', svc('web', { networkMode: 'bridge' }), image, observed(), { command: [], env: {}, id: 'x' }),
    ).toThrow(/service web has network_mode bridge, which `stack run` does not join yet/);
  });
});

describe('mac_address with network_mode bridge', () => {
  it('is the address of its interface on the default bridge, and `config` shows it', () => {
    const text = `name: p\nservices:\n  web:\n    image: ${image.ref}\n    network_mode: bridge\n    mac_address: "02:42:AC:11:00:09"\n`;
    const stack = load(text);
    expect(startOf(reconcile(stack, observed()), 'p-web-1').endpoints[0]!.mac).toBe('02:42:ac:11:00:09');
    expect((composeView(stack).services as Record<string, unknown>).web).toMatchObject({
      network_mode: 'bridge',
      mac_address: '02:42:AC:11:00:09',
    });
  });
});
