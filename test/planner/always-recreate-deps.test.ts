// `up --always-recreate-deps SERVICE…` (compose's rule): the dependencies started for the
// named services are recreated even when unchanged; the named ones follow up's own policy;
// without names every service is named, so nothing changes.

import { expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import { applied, load, observed } from './reconcile-fixtures.js';

const file = `name: hello
services:
  db:
    image: stack.local/busybox:latest
    command: sleep 1000
  app:
    image: stack.local/busybox:latest
    command: sleep 1000
    depends_on: [db]
`;

const running = () => applied(reconcile(load(file), observed()), observed());
const containerOps = (opts: Parameters<typeof reconcile>[2]) =>
  reconcile(load(file), running(), opts)
    .operations.filter((o) => o.kind.startsWith('container.'))
    .map((o) => [o.id, o.cause]);

it('recreates the dependencies of the named services, not the named ones', () => {
  const ops = containerOps({ services: ['app'], alwaysRecreateDeps: true });
  // Make-before-break, as --force-recreate: the new one beside, the old one removed once it is ready.
  expect(ops).toContainEqual(['start:hello-db-1.b', '--always-recreate-deps']);
  expect(ops.map(([id]) => id)).toContain('remove:hello-db-1');
  expect(ops.some(([id]) => id!.includes('app'))).toBe(false);
});

it('changes nothing without SERVICE names, or with --no-deps', () => {
  expect(containerOps({ alwaysRecreateDeps: true })).toEqual([]);
  expect(containerOps({ services: ['app'], noDeps: true, alwaysRecreateDeps: true })).toEqual([]);
});
