// IPv6 networks planned from a file: the subnet (the file's, else a ULA /64), the gateway,
// container addresses (fixed, kept across plans, else the next free), /etc/hosts, the ip6
// NAT of the networks and of published ports, and what cannot be planned.

import { describe, expect, it } from 'vitest';
import type { ContainerSpec, NetworkSpec, Plan } from '../../model/plan.js';
import { planToText } from '../../model/plan-text.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { applied, image, load, observed } from './reconcile-fixtures.js';
import { planProblems } from './helpers.js';

const starts = (plan: Plan): ContainerSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'container.start' ? [o.container] : []));
const created = (plan: Plan): NetworkSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'network.create' ? [o.network] : []));

const dual = `name: hello
services:
  web:
    image: ${image.ref}
    command: httpd -f -p 80 -h /www
    ports: ["8080:80", "[::]:8443:443", "127.0.0.1:8081:81"]
    networks:
      front: {ipv6_address: "fd00:db8:0:0::10"}
  client:
    image: ${image.ref}
    scale: 2
    networks: [front]
networks:
  front:
    enable_ipv6: true
    ipam:
      config:
        - subnet: 10.96.0.0/24
        - subnet: fd00:db8::/64
`;

describe('IPv6 networks', () => {
  it('first up: the bridge gets both subnets, containers both addresses, NAT both families', async () => {
    await expect(planToText(reconcile(load(dual), observed()))).toMatchFileSnapshot('golden/ipv6-first-up.txt');
  });

  it('fixed ipv6_address, then the lowest free after the gateway; the own line of /etc/hosts has both', () => {
    const specs = starts(reconcile(load(dual), observed()));
    const web = specs.find((s) => s.service === 'web')!;
    expect(web.endpoints[0]).toMatchObject({ ip6: 'fd00:db8::10', prefixLength6: 64, gateway6: 'fd00:db8::1' });
    expect(specs.filter((s) => s.service === 'client').map((s) => s.endpoints[0]!.ip6)).toEqual([
      'fd00:db8::2',
      'fd00:db8::3',
    ]);
    expect(web.hosts.slice(0, 2).map((h) => h.ip)).toEqual([web.endpoints[0]!.ip, 'fd00:db8::10']);
  });

  it('a network without a subnet gets a ULA /64 of the project, kept when nothing changes', () => {
    const text = `name: hello\nservices:\n  web: {image: ${image.ref}}\nnetworks:\n  default: {enable_ipv6: true}\n`;
    const first = reconcile(load(text), observed());
    const [net] = created(first);
    expect(net!.subnet6).toMatch(/^fd[0-9a-f:]+::\/64$/);
    expect(net!.gateway6).toBe(net!.subnet6!.replace('::/64', '::1'));
    expect(planToText(reconcile(load(text), applied(first, observed())))).toBe('plan for hello: nothing to do\n');
  });

  it('a running container keeps its IPv6 address when a neighbour is added', () => {
    const first = reconcile(load(dual), observed());
    const before = starts(first).map((s) => [s.name, s.endpoints[0]!.ip6]);
    const scaled = reconcile(load(dual.replace('scale: 2', 'scale: 3')), applied(first, observed()));
    expect(starts(scaled).map((s) => [s.name, s.endpoints[0]!.ip6])).toEqual([['hello-client-3', 'fd00:db8::4']]);
    expect(before).toContainEqual(['hello-client-1', 'fd00:db8::2']);
  });

  it('without enable_ipv6 nothing of IPv6 is in the network, the endpoints or the NAT (hashes as before)', () => {
    const plan = reconcile(
      load(`name: hello\nservices:\n  web: {image: ${image.ref}, ports: ["8080:80"]}\n`),
      observed(),
    );
    expect(created(plan)[0]).not.toHaveProperty('subnet6');
    expect(starts(plan)[0]!.endpoints[0]).not.toHaveProperty('ip6');
    const nat = plan.operations.find((o) => o.kind === 'nat.apply');
    expect(nat?.kind === 'nat.apply' && nat.nat.ports[0]).not.toHaveProperty('containerIp6');
  });

  it('a port on an IPv6 host address needs the container on a network with IPv6', () => {
    const text = `name: hello\nservices:\n  web: {image: ${image.ref}, ports: ["[fd00:ab::1]:8080:80"]}\n`;
    expect(planProblems(() => reconcile(load(text), observed()))).toEqual([
      'service web: port 80/tcp is published on IPv6 address fd00:ab::1, but the network its default route goes through has no IPv6; set enable_ipv6: true on it',
    ]);
  });

  it('an IPv6 subnet another stack uses is a plan problem', () => {
    const text = dual;
    expect(planProblems(() => reconcile(load(text), observed({ takenSubnets: ['fd00:db8::/48'] })))[0]).toBe(
      'network front: IPv6 subnet fd00:db8::/64 overlaps fd00:db8::/48, which another network already uses; choose another subnet',
    );
  });
});
