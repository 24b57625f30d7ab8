// A one-off (`stack run`) answers in the stack's DNS to its own container name only, as
// compose's run: the service's name (and `<service>-<n>`, and the hostname it inherits
// from the service) stay the service's containers', unless `--use-aliases` gives the
// one-off the service's name and aliases (compose's getAliases). Before, the one-off
// answered to the service name: a share of the service's clients reached the one-off.

import { expect, it } from 'vitest';
import { oneOffSpec } from '../../planner/plan/one-off.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { NameTable } from '../../supervisor/dns/name-table.js';
import { applied, image, load, observed } from '../planner/reconcile-fixtures.js';
import type { ContainerSpec } from '../../model/plan.js';

const file = `name: dnsrun
services:
  web:
    image: stack.local/busybox:latest
    command: sleep 1000
    networks:
      front: { aliases: [www] }
  client:
    image: stack.local/busybox:latest
    command: sleep 1000
    networks: [front]
networks: { front: {} }
`;

function setting(useAliases: boolean) {
  const stack = load(file);
  const plan = reconcile(stack, observed({ project: 'dnsrun' }));
  const seen = applied(plan, observed({ project: 'dnsrun' }));
  const started = plan.operations.flatMap((op) => (op.kind === 'container.start' ? [op.container] : []));
  const web = stack.services.find((s) => s.name === 'web')!;
  const oneOff = oneOffSpec('dnsrun', web, image, seen, { command: [], env: {}, id: 'abc123', useAliases });
  const ipOf = (s: ContainerSpec) => s.endpoints[0]!.ip;
  const service = started.find((s) => s.service === 'web')!;
  const client = started.find((s) => s.service === 'client')!;
  const table = new NameTable([...started, oneOff].map((spec) => ({ spec })));
  return { table, oneOff: ipOf(oneOff), service: ipOf(service), from: ipOf(client), name: oneOff.name };
}

it("answers the service's name with the service's containers only, and the one-off by its own name", () => {
  const s = setting(false);
  expect(s.table.lookup(s.from, 'web')).toEqual([s.service]);
  expect(s.table.lookup(s.from, 'web-1')).toEqual([s.service]);
  expect(s.table.lookup(s.from, 'www')).toEqual([s.service]);
  expect(s.table.lookup(s.from, s.name)).toEqual([s.oneOff]);
});

it('with --use-aliases the one-off answers to the service name and its aliases too', () => {
  const s = setting(true);
  expect(s.table.lookup(s.from, 'web')?.sort()).toEqual([s.service, s.oneOff].sort());
  expect(s.table.lookup(s.from, 'www')?.sort()).toEqual([s.service, s.oneOff].sort());
  expect(s.table.lookup(s.from, 'web-1')).toEqual([s.service]);
});
