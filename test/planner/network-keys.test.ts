// The network keys stack reads beyond addresses, planned from a loaded file: the bridge's
// MTU and host name, aux_addresses no container is given, link_local_ips on the interface,
// labels kept in the network's record (a network made before stack kept them, or a label
// edit, rewrites the record only), and attachable accepted with a note.

import { describe, expect, it } from 'vitest';
import type { ContainerSpec, NetworkSpec, Plan } from '../../model/plan.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { applied, image, load, observed } from './reconcile-fixtures.js';
import { planProblems, problems } from './helpers.js';
import { loadTree } from './load-files.js';

const starts = (plan: Plan): ContainerSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'container.start' ? [o.container] : []));
const created = (plan: Plan): NetworkSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'network.create' ? [o.network] : []));
const networkOps = (plan: Plan) => plan.operations.filter((o) => o.kind.startsWith('network.'));

const file = (networks: string, service = '    networks: [front]\n') => `name: hello
services:
  web:
    image: ${image.ref}
${service}networks:
${networks}`;

describe('network driver_opts', () => {
  it('the MTU goes to the bridge and to every endpoint on it; the bridge takes the chosen name', () => {
    const plan = reconcile(
      load(
        file(
          '  front:\n    driver_opts:\n      com.docker.network.driver.mtu: "1400"\n      com.docker.network.bridge.name: stkbfront\n',
        ),
      ),
      observed(),
    );
    expect(created(plan).map((n) => [n.bridge, n.mtu])).toEqual([['stkbfront', 1400]]);
    expect(starts(plan)[0]!.endpoints.map((e) => [e.bridge, e.mtu])).toEqual([['stkbfront', 1400]]);
  });

  it('a bridge name another stack already uses is a plan problem', () => {
    const foreign = {
      project: 'other',
      key: 'net',
      name: 'other_net',
      bridge: 'stkbfront',
      subnet: '10.99.0.0/24',
      gateway: '10.99.0.1',
      prefixLength: 24,
      usedIps: [],
    };
    const text = file('  front:\n    driver_opts: {com.docker.network.bridge.name: stkbfront}\n');
    expect(planProblems(() => reconcile(load(text), observed({ foreignNetworks: [foreign] })))).toEqual([
      'network front: bridge name stkbfront (com.docker.network.bridge.name) is the bridge of network other_net of stack other; choose another name, or join that network with external: true',
    ]);
  });

  it('without driver_opts the spec has neither field (its hash is what it was)', () => {
    const [spec] = created(reconcile(load(file('  front: {}\n')), observed()));
    expect(spec).not.toHaveProperty('mtu');
    expect(spec!.bridge).toMatch(/^stkb[0-9a-f]{10}$/);
  });
});

describe('ipam aux_addresses', () => {
  const reserved = (service: string) =>
    file(
      '  front:\n    ipam:\n      config:\n        - subnet: 10.94.0.0/29\n          aux_addresses: {router: 10.94.0.2, printer: 10.94.0.4}\n',
      service,
    );

  it('no container is given one, however many there are', () => {
    const plan = reconcile(load(reserved('    networks: [front]\n    scale: 3\n')), observed());
    expect(created(plan)[0]!.auxAddresses).toEqual(['10.94.0.2', '10.94.0.4']);
    expect(starts(plan).map((c) => c.endpoints[0]!.ip)).toEqual(['10.94.0.3', '10.94.0.5', '10.94.0.6']);
  });

  it('a static ipv4_address that is one of them is a plan problem', () => {
    const text = reserved('    networks:\n      front: {ipv4_address: 10.94.0.4}\n');
    expect(planProblems(() => reconcile(load(text), observed()))).toEqual([
      "service web: ipv4_address 10.94.0.4 on network front is one of the network's aux_addresses, which no container is given; choose another",
    ]);
  });
});

describe('link_local_ips', () => {
  it('are endpoint addresses of the interface on that network', () => {
    const text = file('  front: {}\n', '    networks:\n      front: {link_local_ips: [169.254.7.7, 169.254.8.8]}\n');
    expect(starts(reconcile(load(text), observed()))[0]!.endpoints[0]!.linkLocalIps).toEqual([
      '169.254.7.7',
      '169.254.8.8',
    ]);
  });
});

describe('mac_address', () => {
  it('a multicast one (odd first octet), of the service or of a network, is refused at its line', () => {
    const text = file(
      '  front: {}\n',
      '    mac_address: "03:42:ac:11:00:02"\n    networks:\n      front: {mac_address: "01:00:5e:00:00:01"}\n',
    );
    expect(problems(text)).toEqual([
      '5:18: mac_address "03:42:ac:11:00:02" of service "web" is a multicast address (the first octet is odd), which no interface can have; use a unicast one such as 02:42:ac:11:00:02',
      '7:28: mac_address "01:00:5e:00:00:01" of service "web" is a multicast address (the first octet is odd), which no interface can have; use a unicast one such as 02:42:ac:11:00:02',
    ]);
  });

  it('a unicast one, locally administered or not, is the interface address', () => {
    const text = file('  front: {}\n', '    networks:\n      front: {mac_address: "02:42:AC:11:00:02"}\n');
    expect(starts(reconcile(load(text), observed()))[0]!.endpoints[0]!.mac).toBe('02:42:ac:11:00:02');
  });
});

describe('network labels', () => {
  const labelled = file('  front:\n    labels: {com.example.tier: front}\n');

  it('are kept in the network spec (its record)', () => {
    expect(created(reconcile(load(labelled), observed()))[0]!.labels).toEqual({ 'com.example.tier': 'front' });
  });

  it('do not make a network recorded before stack kept them look changed: only its record is rewritten, no container is touched', () => {
    const first = reconcile(load(labelled), observed());
    // The record as a stack that ignored labels wrote it.
    const old = applied(
      {
        ...first,
        operations: first.operations.map((o) =>
          o.kind === 'network.create' ? { ...o, network: { ...o.network, labels: undefined } } : o,
        ),
      },
      observed(),
    );
    const upgrade = reconcile(load(labelled), old);
    expect(upgrade.operations.map((o) => [o.kind, o.cause])).toEqual([
      ['network.create', 'labels of network front changed (only its record changes)'],
    ]);
    // Once the record holds them, as the rewritten record does, there is nothing to do.
    const recorded = { ...old, networks: old.networks.map((n) => ({ ...n, labels: created(upgrade)[0]!.labels })) };
    expect(reconcile(load(labelled), recorded).operations).toEqual([]);
  });

  it('an edit of them rewrites the record alone, too', () => {
    const first = reconcile(load(labelled), observed());
    const edited = reconcile(
      load(file('  front:\n    labels: {com.example.tier: edge}\n')),
      applied(first, observed()),
    );
    expect(edited.operations.map((o) => o.kind)).toEqual(['network.create']);
    expect(created(edited)[0]).toMatchObject({
      subnet: created(first)[0]!.subnet,
      labels: { 'com.example.tier': 'edge' },
    });
  });
});

describe('attachable', () => {
  it('is accepted with a one-line note at its key, as the other swarm-only keys', () => {
    const stack = loadTree({ 'stack.yaml': file('  front:\n    attachable: true\n') });
    expect(stack.networks.find((n) => n.key === 'front')?.attachable).toBe(true);
    expect(stack.warnings.map((w) => `${w.line}:${w.col}: ${w.message}`)).toEqual([
      '8:5: attachable on network "front" only matters to a swarm; stack ignores it, as docker compose does',
    ]);
  });
});
