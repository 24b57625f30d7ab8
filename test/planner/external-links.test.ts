// external_links on the planner side: the /etc/hosts line of a running container of another
// stack at its address on a network both are on, a plan error naming the fix when they
// share none, and no line (the DNS alias alone) while the target does not run.

import { describe, expect, it } from 'vitest';
import type { ForeignContainer, ForeignNetwork } from '../../model/observed.js';
import type { ContainerSpec, Plan } from '../../model/plan.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { image, load, observed } from './reconcile-fixtures.js';
import { planProblems } from './helpers.js';

const starts = (plan: Plan): ContainerSpec[] =>
  plan.operations.flatMap((o) => (o.kind === 'container.start' ? [o.container] : []));

const file = `name: hello
services:
  web:
    image: ${image.ref}
    networks: [shared]
    external_links: ["other-db-1:database"]
networks:
  shared:
    external: true
    name: other_default
`;
const shared: ForeignNetwork = {
  project: 'other',
  key: 'default',
  name: 'other_default',
  bridge: 'stkbshared',
  subnet: '10.99.0.0/24',
  gateway: '10.99.0.1',
  prefixLength: 24,
  usedIps: ['10.99.0.2'],
};
const apart: ForeignNetwork = {
  ...shared,
  key: 'back',
  name: 'other_back',
  bridge: 'stkbapart',
  subnet: '10.99.1.0/24',
};
const db = (bridge: string, ip: string): ForeignContainer => ({
  project: 'other',
  names: ['other-db-1', 'legacy-db'],
  endpoints: [{ bridge, ip }],
});

describe('external_links', () => {
  it("puts the target's address on the shared network in /etc/hosts, with the alias", () => {
    const plan = reconcile(
      load(file),
      observed({ foreignNetworks: [shared, apart], foreignContainers: [db('stkbshared', '10.99.0.2')] }),
    );
    expect(starts(plan)[0]!.hosts).toContainEqual({ ip: '10.99.0.2', names: ['database', 'other-db-1'] });
  });

  it('finds the target by its container_name too', () => {
    const text = file.replace('other-db-1:database', 'legacy-db');
    const plan = reconcile(
      load(text),
      observed({ foreignNetworks: [shared], foreignContainers: [db('stkbshared', '10.99.0.2')] }),
    );
    expect(starts(plan)[0]!.hosts).toContainEqual({ ip: '10.99.0.2', names: ['legacy-db'] });
  });

  it('is a plan error naming the networks to join when the target shares none', () => {
    expect(
      planProblems(() =>
        reconcile(
          load(file),
          observed({ foreignNetworks: [shared, apart], foreignContainers: [db('stkbapart', '10.99.1.2')] }),
        ),
      ),
    ).toEqual([
      'service web: external_links other-db-1 (a container of stack other) shares no network with it (other-db-1 is on other_back); join one of its networks with `external: true`, or remove the link',
    ]);
  });

  it('adds no line while the target does not run (its alias resolves through the DNS once it does)', () => {
    const plan = reconcile(load(file), observed({ foreignNetworks: [shared] }));
    expect(starts(plan)[0]!.hosts.flatMap((h) => h.names)).not.toContain('database');
    expect(starts(plan)[0]!.links).toEqual({ database: 'other-db-1' });
  });
});
