// Planner side of networking: interfaces on several networks, their order and names, the
// default gateway, internal networks, ipam settings, static addresses, external networks,
// network_mode, resolv.conf and /etc/hosts. Stacks are built from the typed model directly.

import { describe, expect, it } from 'vitest';
import { emptyObserved, type ImageInfo, type Observed } from '../../model/observed.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { PlanError } from '../../planner/plan/plan-error.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import type { ContainerSpec, NatSpec, Plan } from '../../model/plan.js';
import type { Network, Service, ServiceNetwork, Stack } from '../../model/types.js';
import { applied } from './reconcile-fixtures.js';

const image: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: [],
};
const pos = { file: 'stack.yaml', line: 1, col: 1 };

function net(key: string, extra: Partial<Network> = {}): Network {
  return {
    key,
    name: `p_${key}`,
    driver: 'bridge',
    driverOpts: {},
    internal: false,
    external: false,
    attachable: false,
    enableIpv6: false,
    labels: {},
    ...extra,
  };
}
function sn(network: string, extra: Partial<ServiceNetwork> = {}): ServiceNetwork {
  return { network, aliases: [], gwPriority: 0, priority: 0, ...extra };
}
function svc(name: string, networks: ServiceNetwork[], extra: Partial<Service> = {}): Service {
  return { ...serviceDefaults(name, 'stack.local/busybox:latest', pos), networks, ...extra };
}
function stackOf(services: Service[], networks: Network[]): Stack {
  return {
    project: 'p',
    file: '/x/stack.yaml',
    projectDir: '/x',
    services,
    networks,
    volumes: [],
    secrets: [],
    configs: [],
  };
}
const observed = (extra: Partial<Observed> = {}): Observed => ({
  ...emptyObserved('p'),
  images: [image],
  takenSubnets: ['192.0.2.0/24', '10.123.0.0/24'],
  ...extra,
});

const containers = (plan: Plan): Map<string, ContainerSpec> =>
  new Map(
    plan.operations.flatMap((o) => (o.kind === 'container.start' ? [[o.container.service, o.container] as const] : [])),
  );
const natOf = (plan: Plan): NatSpec => plan.operations.flatMap((o) => (o.kind === 'nat.apply' ? [o.nat] : []))[0]!;
const problemsOf = (f: () => unknown): string[] => {
  try {
    f();
  } catch (e) {
    if (e instanceof PlanError) return e.problems;
    throw e;
  }
  throw new Error('expected a PlanError');
};

const threeNets = stackOf(
  [
    svc('web', [sn('frontend')], { ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }),
    svc('api', [sn('frontend'), sn('backend', { aliases: ['service-api'] })]),
    svc('db', [sn('backend')]),
  ],
  [net('backend', { internal: true }), net('db'), net('frontend')].filter((n) => n.key !== 'db'),
);

describe('several networks', () => {
  it('gives a container one interface per network, the default route on a non-internal one', () => {
    const specs = containers(reconcile(threeNets, observed()));
    const api = specs.get('api')!;
    expect(api.endpoints.map((e) => [e.network, e.ifname, e.defaultRoute])).toEqual([
      ['backend', 'eth0', false],
      ['frontend', 'eth1', true],
    ]);
    expect(api.endpoints[0]!.aliases).toEqual(['service-api']);
    expect(new Set(api.endpoints.map((e) => e.bridge)).size).toBe(2);
    // db is only on the internal network: no default route at all.
    expect(specs.get('db')!.endpoints.map((e) => e.defaultRoute)).toEqual([false]);
    // Subnets: free /24s, none overlapping the host's.
    const subnets = reconcile(threeNets, observed()).operations.flatMap((o) =>
      o.kind === 'network.create' ? [o.network.subnet] : [],
    );
    expect(subnets).toEqual(['10.123.1.0/24', '10.123.2.0/24']);
  });

  it('nat: masquerade and isolation rules per network, internal marked, ports to the default-route address', () => {
    const plan = reconcile(threeNets, observed());
    const nat = natOf(plan);
    expect(nat.networks.map((n) => [n.key, n.internal ?? false])).toEqual([
      ['backend', true],
      ['frontend', false],
    ]);
    const web = containers(plan).get('web')!;
    expect(nat.ports).toEqual([
      expect.objectContaining({ service: 'web', containerIp: web.endpoints[0]!.ip, hostPort: 8080 }),
    ]);
  });

  it('orders interfaces by priority then name, honours interface_name, and routes by gw_priority', () => {
    const s = stackOf(
      [svc('x', [sn('a'), sn('b', { priority: 10 }), sn('c', { interfaceName: 'eth0', gwPriority: 5 })])],
      [net('a'), net('b'), net('c')],
    );
    const x = containers(reconcile(s, observed())).get('x')!;
    expect(x.endpoints.map((e) => [e.network, e.ifname, e.defaultRoute])).toEqual([
      ['b', 'eth1', false],
      ['a', 'eth2', false],
      ['c', 'eth0', true],
    ]);
  });

  it('resolv.conf names the resolver at 127.0.0.11 (leading to the first gateway), with dns_search and dns_opt; dns: become its upstreams', () => {
    const s = stackOf(
      [
        svc('x', [sn('a')], { dns: ['192.0.2.53'], dnsSearch: ['corp.example'], dnsOpt: ['ndots:2'] }),
        svc('y', [sn('a')]),
      ],
      [net('a')],
    );
    const specs = containers(reconcile(s, observed()));
    const x = specs.get('x')!;
    expect(x.resolvConf).toEqual([
      '# upstream servers: 192.0.2.53',
      'nameserver 127.0.0.11',
      'search corp.example',
      'options ndots:2',
    ]);
    expect(x.dnsUpstreams).toEqual(['192.0.2.53']);
    expect(specs.get('y')!.resolvConf).toEqual(['nameserver 127.0.0.11']);
  });

  it('host-gateway is the gateway of the network with the default route; only internal: the first gateway; host and none: 127.0.0.1', () => {
    const gw = [{ host: 'host.docker.internal', ip: 'host-gateway' }];
    // `a` is attached first (eth0) but internal; the default route goes through `b`.
    const s = stackOf(
      [
        svc('x', [sn('a'), sn('b')], { extraHosts: gw }),
        svc('i', [sn('a')], { extraHosts: gw }),
        svc('h', [], { networkMode: 'host', extraHosts: gw }),
        svc('z', [], { networkMode: 'none', extraHosts: gw }),
      ],
      [net('a', { internal: true }), net('b')],
    );
    const specs = containers(reconcile(s, observed()));
    const gatewayOf = (service: string, network: string) =>
      specs.get(service)!.endpoints.find((e) => e.network === network)!.gateway;
    const hostGatewayOf = (service: string) =>
      specs.get(service)!.hosts.find((h) => h.names.includes('host.docker.internal'))!.ip;
    expect(specs.get('x')!.endpoints.map((e) => [e.network, e.defaultRoute])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(hostGatewayOf('x')).toBe(gatewayOf('x', 'b'));
    expect(hostGatewayOf('i')).toBe(gatewayOf('i', 'a'));
    expect([hostGatewayOf('h'), hostGatewayOf('z')]).toEqual(['127.0.0.1', '127.0.0.1']);
  });

  it('/etc/hosts: the container itself and extra_hosts (host-gateway is the gateway), no neighbours', () => {
    const s = stackOf(
      [
        svc('x', [sn('a')], {
          hostname: 'box',
          extraHosts: [
            { host: 'host.docker.internal', ip: 'host-gateway' },
            { host: 'db.local', ip: '192.0.2.9' },
          ],
        }),
        svc('y', [sn('a')]),
      ],
      [net('a')],
    );
    const x = containers(reconcile(s, observed())).get('x')!;
    expect(x.hosts).toEqual([
      { ip: x.endpoints[0]!.ip, names: ['box', 'p-x-1'] },
      { ip: x.endpoints[0]!.gateway, names: ['host.docker.internal'] },
      { ip: '192.0.2.9', names: ['db.local'] },
    ]);
  });
});

describe('ipam', () => {
  it('honours subnet, gateway and ip_range', () => {
    const s = stackOf(
      [svc('x', [sn('a')])],
      [net('a', { subnet: '10.77.0.0/16', gateway: '10.77.0.254', ipRange: '10.77.5.0/24' })],
    );
    const plan = reconcile(s, observed());
    const create = plan.operations.find((o) => o.kind === 'network.create')!;
    expect(
      create.kind === 'network.create' && [create.network.subnet, create.network.gateway, create.network.ipRange],
    ).toEqual(['10.77.0.0/16', '10.77.0.254', '10.77.5.0/24']);
    expect(containers(plan).get('x')!.endpoints[0]!.ip).toBe('10.77.5.1');
  });

  it('static ipv4_address; clear errors outside the subnet, taken, the gateway, or a subnet the host uses', () => {
    const ok = stackOf([svc('x', [sn('a', { ipv4Address: '10.9.0.50' })])], [net('a', { subnet: '10.9.0.0/24' })]);
    expect(containers(reconcile(ok, observed())).get('x')!.endpoints[0]!.ip).toBe('10.9.0.50');
    const bad = stackOf(
      [
        svc('x', [sn('a', { ipv4Address: '10.9.1.5' })]),
        svc('y', [sn('a', { ipv4Address: '10.9.0.7' })]),
        svc('z', [sn('a', { ipv4Address: '10.9.0.7' })]),
        svc('w', [sn('a', { ipv4Address: '10.9.0.1' })]),
      ],
      [net('a', { subnet: '10.9.0.0/24' }), net('b', { subnet: '192.0.2.128/25' })],
    );
    expect(problemsOf(() => reconcile(bad, observed()))).toEqual([
      'network b: subnet 192.0.2.128/25 overlaps 192.0.2.0/24, which the host or another stack already uses; choose another subnet',
      'service x: ipv4_address 10.9.1.5 on network a is outside subnet 10.9.0.0/24; choose a free address inside 10.9.0.0/24',
      'service z: ipv4_address 10.9.0.7 on network a is already taken by another container; choose another address or remove ipv4_address',
      'service w: ipv4_address 10.9.0.1 on network a is the gateway address; choose a free address inside 10.9.0.0/24',
    ]);
  });
});

describe('external networks', () => {
  const foreign = {
    project: 'other',
    key: 'shared',
    name: 'other_shared',
    bridge: 'stkbffffffffff',
    subnet: '10.123.9.0/24',
    gateway: '10.123.9.1',
    prefixLength: 24,
    usedIps: ['10.123.9.2'],
  };

  it('joins the network another stack made, never creating or removing it', () => {
    const s = stackOf([svc('x', [sn('shared')])], [net('shared', { external: true, name: 'other_shared' })]);
    const plan = reconcile(s, observed({ foreignNetworks: [foreign] }));
    expect(plan.operations.filter((o) => o.kind.startsWith('network.'))).toEqual([]);
    const ep = containers(plan).get('x')!.endpoints[0]!;
    expect([ep.bridge, ep.ip, ep.gateway]).toEqual([foreign.bridge, '10.123.9.3', foreign.gateway]);
    // No masquerade or isolation rules of this stack for a network it does not own.
    expect(plan.operations.some((o) => o.kind === 'nat.apply')).toBe(false);
  });

  it('the owner scaling up never hands out an address a container of another stack holds on its network', () => {
    const s = stackOf([svc('w', [sn('shared')])], [net('shared')]);
    const up = applied(reconcile(s, observed()), observed());
    const [own] = up.containers[0]!.endpoints;
    expect(own!.ip).toBe('10.123.1.2');
    // Another stack joined (external: true) and took the next address.
    up.networks[0] = { ...up.networks[0]!, foreignUsers: ['q-joiner-1'], foreignIps: ['10.123.1.3'] };
    const starts = reconcile(s, up, { scale: { w: 2 } }).operations.flatMap((o) =>
      o.kind === 'container.start' ? [o.container] : [],
    );
    expect(starts.map((c) => [c.name, c.endpoints[0]!.ip])).toEqual([['p-w-2', '10.123.1.4']]);
  });

  it('a stack only on joined networks publishes its ports: DNAT to the address on the joined bridge, no network rules of its own', () => {
    const s = stackOf(
      [
        svc('x', [sn('shared')], {
          ports: [{ hostIp: '127.0.0.1', hostPort: 8080, containerPort: 80, protocol: 'tcp' }],
        }),
      ],
      [net('shared', { external: true, name: 'other_shared' })],
    );
    const seen = observed({ foreignNetworks: [foreign] });
    const plan = reconcile(s, seen);
    const nat = natOf(plan);
    expect(nat.networks).toEqual([]);
    expect(nat.ports).toEqual([
      {
        service: 'x',
        container: 'p-x-1',
        protocol: 'tcp',
        hostIp: '127.0.0.1',
        hostPort: 8080,
        containerIp: '10.123.9.3',
        containerPort: 80,
      },
    ]);
    expect(plan.operations.find((o) => o.id === 'start:p-x-1')!.after).toContain('nat');
    // Dropping the ports removes the table again.
    const noPorts = stackOf([svc('x', [sn('shared')])], s.networks);
    const removed = reconcile(noPorts, {
      ...seen,
      nat: { table: nat.table, hash: nat.hash, present: true, ports: nat.ports },
    }).operations.filter((o) => o.kind.startsWith('nat.'));
    expect(removed.map((o) => [o.kind, o.cause])).toEqual([
      ['nat.remove', 'no network or published port needs NAT any more'],
    ]);
  });

  it('a joined internal network stays internal: no default route through it, no ports published on it', () => {
    const s = stackOf(
      [
        svc('x', [sn('shared'), sn('own')]),
        svc('y', [sn('shared')], { ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] }),
      ],
      [net('shared', { external: true, name: 'other_shared' }), net('own')],
    );
    const seen = observed({ foreignNetworks: [{ ...foreign, internal: true }] });
    const x = containers(reconcile(stackOf([s.services[0]!], s.networks), seen)).get('x')!;
    expect(x.endpoints.map((e) => [e.network, e.defaultRoute])).toEqual([
      ['own', true],
      ['shared', false],
    ]);
    expect(problemsOf(() => reconcile(s, seen))).toEqual([
      'service y: `ports` cannot be published: the service has only internal networks, which nothing outside can reach; remove `ports` or join a network that is not internal',
    ]);
  });

  it('an external network nobody made is a clear error', () => {
    const s = stackOf([svc('x', [sn('shared')])], [net('shared', { external: true, name: 'nope' })]);
    expect(problemsOf(() => reconcile(s, observed({ foreignNetworks: [foreign] })))).toEqual([
      'network shared: external network nope does not exist; start the stack that creates it first (networks of other stacks on this host: other_shared), or remove `external: true` to let this stack create it',
    ]);
  });
});

describe('network_mode', () => {
  it('service:X joins X (started first), host and none get no interfaces', () => {
    const s = stackOf(
      [
        svc('a', [sn('n')], { networkMode: 'service:b' }),
        svc('b', [sn('n')]),
        svc('h', [], { networkMode: 'host' }),
        svc('z', [], { networkMode: 'none' }),
      ],
      [net('n')],
    );
    const plan = reconcile(s, observed());
    const specs = containers(plan);
    expect(specs.get('a')!.networkMode).toBe('container:p-b-1');
    expect(specs.get('a')!.endpoints).toEqual([]);
    expect(specs.get('a')!.resolvConf).toEqual(specs.get('b')!.resolvConf);
    expect(plan.operations.find((o) => o.id === 'start:p-a-1')!.after).toContain('start:p-b-1');
    expect([specs.get('h')!.networkMode, specs.get('h')!.endpoints, specs.get('h')!.resolvConf]).toEqual([
      'host',
      [],
      [],
    ]);
    expect([specs.get('z')!.networkMode, specs.get('z')!.endpoints]).toEqual(['none', []]);
  });

  it('ports with network_mode host are rejected with the reason', () => {
    const s = stackOf(
      [svc('h', [], { networkMode: 'host', ports: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] })],
      [],
    );
    expect(problemsOf(() => reconcile(s, observed()))).toEqual([
      "service h: `ports` cannot be published with network_mode host (the service already listens on the host's own addresses); remove `ports`",
    ]);
  });
});
