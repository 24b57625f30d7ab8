// depends_on conditions in the plan: the `container.wait` between a dependency's start and
// its dependent's, what it waits for and how long, compared with golden/depends-on-*.txt.

import { describe, expect, it } from 'vitest';
import { loadStack } from '../../planner/load/load.js';
import { emptyObserved, type ImageInfo, type Observed } from '../../model/observed.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { planToText } from '../../model/plan-text.js';
import { PlanError } from '../../planner/plan/plan-error.js';
import type { Stack } from '../../model/types.js';

const image: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: [],
};

const text = `name: app
services:
  db:
    image: stack.local/busybox:latest
    command: ["sh", "-c", "touch /ready; sleep 1000"]
    healthcheck:
      test: test -f /ready
      interval: 1s
      timeout: 2s
      retries: 3
      start_period: 5s
      start_interval: 500ms
  migrate:
    image: stack.local/busybox:latest
    command: ["true"]
    depends_on:
      db: { condition: service_healthy }
  api:
    image: stack.local/busybox:latest
    command: ["sleep", "1000"]
    depends_on:
      db: { condition: service_healthy }
      migrate: { condition: service_completed_successfully }
      cache: { condition: service_started, required: false }
  cache:
    image: stack.local/busybox:latest
    command: ["sleep", "1000"]
`;

function load(withHealthcheck = true): Stack {
  const file = withHealthcheck ? text : text.replace(/    healthcheck:\n(      .*\n)+/, '');
  return loadStack({ files: [{ path: 'stack.yaml', text: file }], projectDir: '/work/app', env: {} });
}

const observed = (): Observed => ({ ...emptyObserved('app'), images: [image], takenSubnets: [] });

describe('depends_on conditions', () => {
  it('waits for each dependency with its condition before starting the dependent', async () => {
    const plan = reconcile(load(), observed());
    await expect(planToText(plan)).toMatchFileSnapshot('golden/depends-on-conditions.txt');
    const wait = plan.operations.find((o) => o.id === 'wait:api')!;
    expect(wait.kind === 'container.wait' && wait.dependencies).toEqual([
      { service: 'cache', containers: ['app-cache-1'], condition: 'service_started', required: false },
      // start period + (interval + timeout) × (retries + 1) + 10 s of slack
      {
        service: 'db',
        containers: ['app-db-1'],
        condition: 'service_healthy',
        required: true,
        timeoutSeconds: 5 + 3 * 4 + 10,
      },
      {
        service: 'migrate',
        containers: ['app-migrate-1'],
        condition: 'service_completed_successfully',
        required: true,
      },
    ]);
    // Failures of the starts it waits for are the wait's to report, so they only settle it.
    expect(wait.after).toEqual([]);
    expect(wait.settled).toEqual(['start:app-cache-1', 'start:app-db-1', 'start:app-migrate-1']);
    expect(plan.operations.find((o) => o.id === 'start:app-api-1')!.after).toContain('wait:api');
  });

  it('waits for a running dependency only when the condition is more than "started"', () => {
    const first = reconcile(load(), observed());
    const running: Observed = {
      ...observed(),
      containers: first.operations.flatMap((op) =>
        op.kind === 'container.start' && op.container.service !== 'api'
          ? [
              {
                name: op.container.name,
                service: op.container.service,
                hash: op.container.hash,
                running: true,
                pid: 1,
                stopSignal: 'SIGTERM',
                stopGraceSeconds: 10,
                endpoints: op.container.endpoints.map((e) => ({ network: e.network, ip: e.ip, hostVeth: e.hostVeth })),
              },
            ]
          : [],
      ),
      networks: first.operations.flatMap((op) =>
        op.kind === 'network.create' ? [{ ...op.network, linkPresent: true }] : [],
      ),
    };
    const plan = reconcile(load(), running);
    const wait = plan.operations.find((o) => o.id === 'wait:api');
    expect(wait?.kind === 'container.wait' && wait.dependencies.map((d) => d.service)).toEqual(['db', 'migrate']);
    expect(wait?.settled).toEqual([]);
  });

  it('service_healthy on a dependency without a healthcheck is a PlanError that says what to do', () => {
    expect(() => reconcile(load(false), observed())).toThrow(PlanError);
    try {
      reconcile(load(false), observed());
    } catch (err) {
      expect((err as PlanError).problems).toEqual([
        'service api depends on db with condition service_healthy, but db has no healthcheck; add a healthcheck to db, or use condition service_started',
        'service migrate depends on db with condition service_healthy, but db has no healthcheck; add a healthcheck to db, or use condition service_started',
      ]);
    }
  });
});
