// Address management: subnet choice (sized to the network's containers) and address
// allocation, alone and through reconcile for a network of 1000 containers.

import { describe, expect, it } from 'vitest';
import { chooseSubnet, nextFreeAddress, subnetPrefixFor } from '../../planner/ipam.js';
import { emptyObserved, type ImageInfo } from '../../planner/observed.js';
import { reconcile } from '../../planner/reconcile.js';
import { serviceDefaults } from '../../planner/service-defaults.js';
import type { Stack } from '../../planner/types.js';

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
    const image: ImageInfo = { ref: 'stack.local/busybox:latest', id: 'sha256:' + 'c'.repeat(64), layers: ['sha256:' + 'a'.repeat(64)], cmd: ['sh'], env: [] };
    const service = { ...serviceDefaults('w', image.ref, { file: 'stack.yaml', line: 1, col: 1 }), replicas: 1000, networks: [{ network: 'default', aliases: [], gwPriority: 0, priority: 0 }] };
    const stack: Stack = {
      project: 'p', file: '/x/stack.yaml', projectDir: '/x', services: [service], volumes: [], secrets: [], configs: [],
      networks: [{ key: 'default', name: 'p_default', driver: 'bridge', driverOpts: {}, internal: false, external: false, attachable: false, enableIpv6: false, labels: {} }],
    };
    const plan = reconcile(stack, { ...emptyObserved('p'), images: [image], takenSubnets: ['10.123.0.0/24'] });
    const subnets = plan.operations.flatMap((o) => (o.kind === 'network.create' ? [o.network.subnet] : []));
    expect(subnets).toEqual(['10.123.8.0/21']);
    const ips = plan.operations.flatMap((o) => (o.kind === 'container.start' ? o.container.endpoints.map((e) => e.ip) : []));
    expect(ips).toHaveLength(1000);
    expect(new Set(ips).size).toBe(1000);
    expect(ips).toContain('10.123.8.2');
    expect(ips).toContain('10.123.11.233'); // 2 + 999 host addresses on
    expect(ips).not.toContain('10.123.8.1'); // the gateway
  });
});
