// Address management: subnet choice (sized to the network's containers) and address
// allocation, alone and through reconcile for a network of 1000 containers.

import { describe, expect, it } from 'vitest';
import { chooseSubnet, nextFreeAddress, subnetPrefixFor } from '../../model/ipam.js';
import { emptyObserved, type ImageInfo } from '../../model/observed.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import type { Stack } from '../../model/types.js';
import { planProblems } from './helpers.js';
import { applied } from './reconcile-fixtures.js';

describe('ipam', () => {
  it('sizes automatic subnets: a /24 up to 126 containers, then room for twice as many', () => {
    expect([1, 126, 127, 1000, 16_000, 40_000].map(subnetPrefixFor)).toEqual([24, 24, 23, 21, 17, 16]);
  });

  it('chooses the first aligned free subnet of the size asked for', () => {
    expect(chooseSubnet(['10.123.0.0/24'])).toBe('10.123.1.0/24');
    expect(chooseSubnet(['10.123.0.0/24'], 21)).toBe('10.123.8.0/21');
    expect(chooseSubnet(['10.123.0.0/17'], 17)).toBe('10.123.128.0/17');
    expect(chooseSubnet(['10.123.0.0/16'], 21)).toBeUndefined();
  });

  it('allocates the lowest free address, and searches on from a hint', () => {
    const used = new Set(['10.0.0.2', '10.0.0.4']);
    expect(nextFreeAddress('10.0.0.0/24', '10.0.0.1', used)).toBe('10.0.0.3');
    expect(nextFreeAddress('10.0.0.0/24', '10.0.0.1', used, undefined, '10.0.0.4')).toBe('10.0.0.5');
    expect(nextFreeAddress('10.0.0.0/30', '10.0.0.1', new Set(['10.0.0.2']))).toBeUndefined();
  });

  it('puts 1000 replicas on one automatic network, each with its own address', () => {
    const image: ImageInfo = {
      ref: 'stack.local/busybox:latest',
      id: 'sha256:' + 'c'.repeat(64),
      layers: ['sha256:' + 'a'.repeat(64)],
      cmd: ['sh'],
      env: [],
    };
    const service = {
      ...serviceDefaults('w', image.ref, { file: 'stack.yaml', line: 1, col: 1 }),
      replicas: 1000,
      networks: [{ network: 'default', aliases: [], gwPriority: 0, priority: 0 }],
    };
    const stack: Stack = {
      project: 'p',
      file: '/x/stack.yaml',
      projectDir: '/x',
      services: [service],
      volumes: [],
      secrets: [],
      configs: [],
      networks: [
        {
          key: 'default',
          name: 'p_default',
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
    const plan = reconcile(stack, { ...emptyObserved('p'), images: [image], takenSubnets: ['10.123.0.0/24'] });
    const subnets = plan.operations.flatMap((o) => (o.kind === 'network.create' ? [o.network.subnet] : []));
    expect(subnets).toEqual(['10.123.8.0/21']);
    const ips = plan.operations.flatMap((o) =>
      o.kind === 'container.start' ? o.container.endpoints.map((e) => e.ip) : [],
    );
    expect(ips).toHaveLength(1000);
    expect(new Set(ips).size).toBe(1000);
    expect(ips).toContain('10.123.8.2');
    expect(ips).toContain('10.123.11.233'); // 2 + 999 host addresses on
    expect(ips).not.toContain('10.123.8.1'); // the gateway
  });
});

describe('up --scale sizes the subnet and reports a full one once', () => {
  const image: ImageInfo = {
    ref: 'stack.local/busybox:latest',
    id: 'sha256:' + 'c'.repeat(64),
    layers: ['sha256:' + 'a'.repeat(64)],
    cmd: ['sh'],
    env: [],
  };
  const pos = { file: 'stack.yaml', line: 1, col: 1 };
  const network = (extra: Partial<Stack['networks'][number]> = {}) => ({
    key: 'default',
    name: 'p_default',
    driver: 'bridge',
    driverOpts: {},
    internal: false,
    external: false,
    attachable: false,
    enableIpv6: false,
    labels: {},
    ...extra,
  });
  const stackWith = (net = network()): Stack => ({
    project: 'p',
    file: '/x/stack.yaml',
    projectDir: '/x',
    volumes: [],
    secrets: [],
    configs: [],
    networks: [net],
    services: ['web', 'worker'].map((name) => ({
      ...serviceDefaults(name, image.ref, pos),
      networks: [{ network: 'default', aliases: [], gwPriority: 0, priority: 0 }],
    })),
  });
  const observed = { ...emptyObserved('p'), images: [image], takenSubnets: ['10.123.0.0/24'] };

  it('a new network gets a subnet with room for the scale asked for, as deploy.replicas does', () => {
    const plan = reconcile(stackWith(), observed, { scale: { worker: 500 } });
    expect(plan.operations.flatMap((o) => (o.kind === 'network.create' ? [o.network.subnet] : []))).toEqual([
      '10.123.4.0/22',
    ]);
    const ips = plan.operations.flatMap((o) =>
      o.kind === 'container.start' ? o.container.endpoints.map((e) => e.ip) : [],
    );
    expect(new Set(ips).size).toBe(501);
  });

  it('a network whose subnet is too small for the scale is one problem, naming the counts and the fix', () => {
    const small = applied(reconcile(stackWith(), observed), observed);
    expect(small.networks.map((n) => n.subnet)).toEqual(['10.123.1.0/24']);
    expect(planProblems(() => reconcile(stackWith(), small, { scale: { worker: 500 } }))).toEqual([
      'network default: no free address left in 10.123.1.0/24 for 248 of the 501 containers on it (worker: 248 of 500); its subnet was sized for the containers it had when it was made: `stack down` and `up` again to get one sized for this scale, or set a larger ipam.config subnet',
    ]);
  });

  it('a subnet the file gives that is too small is one problem too', () => {
    const plan = () =>
      reconcile(stackWith(network({ subnet: '10.50.0.0/28' })), observed, { scale: { web: 10, worker: 10 } });
    expect(planProblems(plan)).toEqual([
      'network default: no free address left in 10.50.0.0/28 for 7 of the 20 containers on it (worker: 7 of 10); set a larger ipam.config subnet',
    ]);
  });
});
