// container_name is the container's name for people and for its neighbours: the spec
// carries it (so ps and the DNS server show and answer it) and its own /etc/hosts lists
// it; more than one replica cannot share it, as in compose.

import { describe, expect, it } from 'vitest';
import { loadStack } from '../../planner/load/load.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import type { ContainerSpec } from '../../model/plan.js';
import { planProblems } from './helpers.js';
import { observed as observedHost } from './reconcile-fixtures.js';

const observed = observedHost();
const load = (more = '') =>
  loadStack({
    files: [
      {
        path: 'stack.yaml',
        text: `name: p\nservices:\n  db:\n    image: stack.local/busybox:latest\n    container_name: main-db\n${more}`,
      },
    ],
    projectDir: '/work/p',
    env: {},
  });

function started(more?: string): ContainerSpec {
  const op = reconcile(load(more), observed).operations.find((o) => o.kind === 'container.start');
  if (op?.kind !== 'container.start') throw new Error('no container started');
  return op.container;
}

describe('container_name', () => {
  it('is carried by the container spec beside the slot name', () => {
    expect(started()).toMatchObject({ name: 'p-db-1', containerName: 'main-db' });
  });

  it("is in the container's own /etc/hosts", () => {
    expect(started().hosts[0]!.names).toStrictEqual(['db', 'p-db-1', 'main-db']);
  });

  it('cannot be shared by replicas: in the file, or with up --scale', () => {
    expect(() => load('    scale: 2\n')).toThrow(/service "db" has container_name "main-db" and 2 replicas/);
    expect(planProblems(() => reconcile(load(), observed, { scale: { db: 2 } }))).toStrictEqual([
      'service db: 2 replicas cannot share container_name main-db; remove `container_name` or run one replica',
    ]);
  });
});
