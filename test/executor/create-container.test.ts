// `stack create` (executor/create-container.ts, planner/plan/create-plan.ts): the plan of
// `up` with the new containers created, not started; the record is written first, so a
// crash before the rest of the container is made (a failure of prepare injected here, as
// a kill -9 would leave it) leaves a record that `up` starts and `down` removes.

import { expect, it } from 'vitest';
import { execute } from '../../executor/execute.js';
import { FakeHost } from '../../executor/fake-host.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { teardown } from '../../planner/plan/teardown.js';
import type { Observed } from '../../model/observed.js';
import type { ContainerSpec } from '../../model/plan.js';
import { applied, hello, load, observed } from '../planner/reconcile-fixtures.js';

const stack = load(hello);

it('plans the containers created, with nothing started or waited for', () => {
  const plan = reconcile(stack, observed(), { create: true });
  const kinds = plan.operations.map((op) => op.kind);
  expect(kinds.filter((k) => k === 'container.create')).toHaveLength(2);
  expect(kinds.some((k) => k === 'container.start' || k === 'container.wait')).toBe(false);
  expect(kinds).toContain('network.create');
  // Each op waits only for operations of this plan.
  const ids = new Set(plan.operations.map((op) => op.id));
  for (const op of plan.operations) for (const id of op.after) expect(ids.has(id)).toBe(true);
  // Containers that exist are left alone.
  const seen = applied(reconcile(stack, observed()), observed());
  expect(reconcile(stack, seen, { create: true }).operations.filter((op) => op.kind.startsWith('container.'))).toEqual(
    [],
  );
});

it('writes the record before anything else of the container; up starts it and down removes it after a crash', async () => {
  const plan = reconcile(stack, observed(), { create: true });
  const host = new FakeHost({ failOn: ['containers.prepare hello-web-1'] });
  await expect(execute(plan, host, { event: () => {} })).rejects.toThrow(/hello-web-1/);
  expect(host.calls).toContain('state.saveContainer hello-web-1 created');
  expect(host.calls.indexOf('state.saveContainer hello-web-1 created')).toBeLessThan(
    host.calls.indexOf('containers.prepare hello-web-1'),
  );
  // What observe then sees: the record, marked stopped, no process.
  const web = plan.operations.flatMap((op) => (op.kind === 'container.create' ? [op.container] : []))[0]!;
  const left: Observed = {
    ...applied(reconcile(stack, observed()), observed()),
    containers: [asCreated(web)],
  };
  const up = reconcile(stack, left);
  expect(up.operations.find((op) => op.kind === 'container.resume' && op.name === web.name)).toBeDefined();
  expect(teardown(left).operations.find((op) => op.kind === 'container.remove' && op.name === web.name)).toBeDefined();
});

function asCreated(spec: ContainerSpec): Observed['containers'][number] {
  return {
    name: spec.name,
    service: spec.service,
    replica: spec.replica,
    hash: spec.hash,
    running: false,
    stopped: true,
    stopSignal: spec.stopSignal,
    stopGraceSeconds: spec.stopGraceSeconds,
    endpoints: spec.endpoints.map((e) => ({ network: e.network, ip: e.ip, hostVeth: e.hostVeth })),
  };
}
