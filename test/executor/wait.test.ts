// `container.wait` in the executor against the FakeHost: a required dependency that cannot
// meet its condition skips the dependent with the reason; an optional one warns; the wait
// runs even when the start it settles on failed, so it can say why.

import { describe, expect, it } from 'vitest';
import { execute, ApplyError } from '../../executor/execute.js';
import { FakeHost } from '../../executor/fake-host.js';
import type { ProgressEvent } from '../../executor/reporter.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec, Plan, WaitDependency } from '../../model/plan.js';

function spec(service: string): ContainerSpec {
  return {
    ...defaultRuntimeOptions(),
    project: 'p',
    service,
    name: `p-${service}-1`,
    hostname: service,
    image: { ref: 'stack.local/busybox:latest', id: 'sha256:x', layers: [] },
    argv: ['sh'],
    env: [],
    cwd: '/',
    hosts: [],
    endpoints: [],
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    hash: service,
  };
}

function plan(deps: WaitDependency[]): Plan {
  return {
    project: 'p',
    notes: [],
    operations: [
      { kind: 'container.start', id: 'start:db', cause: 'c', after: [], container: spec('db') },
      {
        kind: 'container.wait',
        id: 'wait:api',
        cause: 'c',
        after: [],
        settled: ['start:db'],
        project: 'p',
        service: 'api',
        dependencies: deps,
      },
      { kind: 'container.start', id: 'start:api', cause: 'c', after: ['wait:api'], container: spec('api') },
    ],
  };
}

const db = (over: Partial<WaitDependency> = {}): WaitDependency => ({
  service: 'db',
  containers: ['p-db-1'],
  condition: 'service_healthy',
  required: true,
  ...over,
});

async function run(host: FakeHost, p: Plan) {
  const events: ProgressEvent[] = [];
  const error = await execute(p, host, { event: (e) => events.push(e) }).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { events, error };
}

describe('container.wait', () => {
  it('starts the dependent only after the dependency met its condition', async () => {
    const host = new FakeHost();
    const { error } = await run(host, plan([db()]));
    expect(error).toBeUndefined();
    const order = host.calls.filter((c) => /release|waitFor/.test(c));
    expect(order).toEqual([
      'containers.release p-db-1',
      'containers.waitFor p-db-1 service_healthy',
      'containers.release p-api-1',
    ]);
  });

  it('an unhealthy required dependency stops the dependent, saying why', async () => {
    const host = new FakeHost({
      waitOutcomes: { 'p-db-1': { met: false, reason: 'is unhealthy (last check: exit 1: no)' } },
    });
    const { events, error } = await run(host, plan([db()]));
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as ApplyError).failures.map((f) => `${f.id}: ${f.error.message}`)).toEqual([
      'wait:api: api not started: dependency db is unhealthy (last check: exit 1: no)',
    ]);
    expect(events).toContainEqual({
      type: 'skipped',
      id: 'start:api',
      reason: 'waits for wait:api, which did not succeed',
    });
    expect(host.calls).not.toContain('containers.spawn p-api-1');
  });

  it('an optional dependency (required: false) that fails only warns, and the dependent starts', async () => {
    const host = new FakeHost({ waitOutcomes: { 'p-db-1': { met: false, reason: 'exited with code 3' } } });
    const { events, error } = await run(
      host,
      plan([db({ required: false, condition: 'service_completed_successfully' })]),
    );
    expect(error).toBeUndefined();
    expect(events).toContainEqual(
      expect.objectContaining({
        type: 'done',
        id: 'wait:api',
        warnings: ['api starts anyway: dependency db exited with code 3 (required: false)'],
      }),
    );
    expect(host.calls).toContain('containers.spawn p-api-1');
  });

  it('runs after a failed dependency start, so it can report it (settled, not after)', async () => {
    const host = new FakeHost({
      failOn: ['containers.spawn p-db-1'],
      waitOutcomes: { 'p-db-1': { met: false, reason: 'failed to start' } },
    });
    const { error } = await run(host, plan([db({ condition: 'service_started' })]));
    expect((error as ApplyError).failures.map((f) => f.id)).toEqual(['start:db', 'wait:api']);
    expect((error as ApplyError).failures[1]!.error.message).toBe('api not started: dependency db failed to start');
  });
});
