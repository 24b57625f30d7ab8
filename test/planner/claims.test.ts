// Claims of an apply in progress (model/claims.ts): what a plan takes, and a second
// stack planning meanwhile, which must see all of it as taken (the subnet, the host port
// it chose, the addresses on a network both stacks are on) though no record says so yet;
// and a one-off (`stack run`) beside an apply of its own stack, which must skip what that
// apply claimed.

import { describe, expect, it } from 'vitest';
import { claimsOf, withClaims } from '../../model/claims.js';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import type { Observed } from '../../model/observed.js';
import type { ContainerSpec, NatSpec, Plan } from '../../model/plan.js';
import { applied, image, load, observed } from './reconcile-fixtures.js';

const stackFile = (project: string, extra = '') => `name: ${project}
services:
  web:
    image: stack.local/busybox:latest
    command: httpd -f -p 80 -h /www
    ports: ["127.0.0.1::80"]
${extra}`;

const natOf = (plan: Plan): NatSpec => plan.operations.flatMap((o) => (o.kind === 'nat.apply' ? [o.nat] : []))[0]!;
const starts = (plan: Plan): ContainerSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'container.start' ? [o.container] : []));

describe('claims', () => {
  const first = reconcile(load(stackFile('first')), observed({ project: 'first' }));

  it('are the subnets, bridges, host ports and addresses the plan takes', () => {
    const web = starts(first)[0]!;
    expect(claimsOf(first)).toEqual({
      subnets: ['10.123.1.0/24'],
      ports: [{ protocol: 'tcp', port: 32768, hostIp: '127.0.0.1', service: 'web' }],
      addresses: [{ bridge: web.endpoints[0]!.bridge, ip: '10.123.1.2' }],
      bridges: [web.endpoints[0]!.bridge],
    });
  });

  it('make a stack planning meanwhile choose another subnet and host port', () => {
    const claims = [{ project: 'first', ...claimsOf(first) }];
    const second = reconcile(load(stackFile('second')), withClaims(observed({ project: 'second' }), claims));
    const net = second.operations.flatMap((o) => (o.kind === 'network.create' ? [o.network] : []))[0]!;
    expect(net.subnet).toBe('10.123.2.0/24');
    expect(natOf(second).ports.map((r) => r.hostPort)).toEqual([32769]);
    // Without the claims, both would take the same.
    const blind = reconcile(load(stackFile('second')), observed({ project: 'second' }));
    expect(natOf(blind).ports.map((r) => r.hostPort)).toEqual([32768]);
  });

  it('make a stack joining a network choose an address the owner has not claimed', () => {
    const web = starts(first)[0]!.endpoints[0]!;
    const shared = {
      project: 'first',
      key: 'default',
      name: 'first_default',
      bridge: web.bridge,
      subnet: '10.123.1.0/24',
      gateway: '10.123.1.1',
      prefixLength: 24,
      usedIps: [],
    };
    const joiner = `name: joiner
services:
  j:
    image: stack.local/busybox:latest
    command: sleep 1000
    networks: [shared]
networks:
  shared:
    external: true
    name: first_default
`;
    const seen = withClaims(observed({ project: 'joiner', foreignNetworks: [shared] }), [
      { project: 'first', ...claimsOf(first) },
    ]);
    expect(starts(reconcile(load(joiner), seen))[0]!.endpoints[0]!.ip).toBe('10.123.1.3');
  });

  it("of the owner's joiners count on its own networks too, and nothing changes without claims", () => {
    const base = observed({
      project: 'first',
      networks: [
        {
          key: 'default',
          name: 'first_default',
          bridge: 'stkbx',
          subnet: '10.123.1.0/24',
          gateway: '10.123.1.1',
          linkPresent: true,
        },
      ],
    });
    expect(withClaims(base, [])).toBe(base);
    const seen = withClaims(base, [
      {
        project: 'joiner',
        subnets: [],
        ports: [],
        bridges: [],
        addresses: [
          { bridge: 'stkbx', ip: '10.123.1.5' },
          { bridge: 'stkby', ip: '10.9.0.2' },
        ],
      },
    ]);
    expect(seen.networks[0]!.foreignIps).toEqual(['10.123.1.5']);
  });

  it('make a one-off of the same stack skip the addresses its apply in progress claimed', () => {
    // The apply made the network; web's record comes only when its start runs.
    const midApply: Observed = { ...applied(first, observed({ project: 'first' })), containers: [] };
    const web = load(stackFile('first')).services[0]!;
    const run = (seen: Observed) =>
      oneOffSpec('first', web, image, seen, { command: ['true'], env: {}, id: 'abc123' }).endpoints[0]!.ip;
    expect(run(midApply)).toBe('10.123.1.2');
    expect(run(withClaims(midApply, [{ project: 'first', ...claimsOf(first) }]))).toBe('10.123.1.3');
  });
});
