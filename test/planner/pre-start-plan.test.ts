// The plan's side of pre_start: the service's first start runs the steps (container.start
// preStart) when none of its containers runs, its other starts wait for that one, and a
// scale-up beside a running replica runs no step.

import { describe, expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import type { Operation } from '../../model/plan.js';
import { applied, load, observed } from './reconcile-fixtures.js';
import { preStartStepName } from '../../model/names.js';

const file = (replicas: number) => `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: sleep 1000
    deploy: { replicas: ${replicas} }
    pre_start: [{ command: [touch, /data/ready] }]
`;

const starts = (ops: Operation[]) =>
  ops.flatMap((o) => (o.kind === 'container.start' ? [{ id: o.id, after: o.after, preStart: !!o.preStart }] : []));

describe('pre_start in the plan', () => {
  it('the first start of the service runs the steps; the others wait for it', () => {
    const plan = reconcile(load(file(2)), observed());
    expect(starts(plan.operations)).toEqual([
      { id: 'start:hello-web-1', after: ['network:default', 'nat'], preStart: true },
      { id: 'start:hello-web-2', after: ['network:default', 'nat', 'start:hello-web-1'], preStart: false },
    ]);
  });

  it('a scale-up while a replica runs runs no step', () => {
    const host = applied(reconcile(load(file(1)), observed()), observed());
    expect(starts(reconcile(load(file(3)), host).operations).map((s) => s.preStart)).toEqual([false, false]);
  });
});

describe('a pre_start step left by an interrupted start (kill -9 while it ran)', () => {
  it('is removed before the service starts, which runs its steps again', () => {
    const host = applied(reconcile(load(file(1)), observed()), observed());
    const step = { ...host.containers[0]!, name: preStartStepName('hello-web-1', 1) };
    const plan = reconcile(load(file(1)), { ...host, containers: [step] });
    const removal = plan.operations.find((o) => o.kind === 'container.remove');
    expect(removal).toMatchObject({ id: `remove:${step.name}`, name: step.name });
    expect(starts(plan.operations)).toEqual([
      { id: 'start:hello-web-1', after: [`remove:${step.name}`], preStart: true },
    ]);
  });
});
