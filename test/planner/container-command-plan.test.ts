// Plans of `stack kill`, `rm`, `pause` and `unpause`, from the observed containers alone.

import { describe, expect, it } from 'vitest';
import { emptyObserved, type Observed, type ObservedContainer } from '../../model/observed.js';
import { planToText } from '../../model/plan-text.js';
import { containerCommandPlan } from '../../planner/plan/container-command-plan.js';
import { PlanError } from '../../planner/plan/plan-error.js';

function container(service: string, extra: Partial<ObservedContainer> = {}): ObservedContainer {
  return {
    name: `p-${service}-1`,
    service,
    hash: 'h',
    running: true,
    stopSignal: 'SIGTERM',
    stopGraceSeconds: 10,
    endpoints: [{ network: 'default', ip: '10.0.0.2', hostVeth: `stkv${service}` }],
    ...extra,
  };
}

const observed = (containers: ObservedContainer[], extra: Partial<Observed> = {}): Observed => ({
  ...emptyObserved('p'),
  containers,
  ...extra,
});

describe('kill', () => {
  const stack = observed([
    container('web'),
    container('db', { stopSignal: 'SIGINT' }),
    container('done', { running: false }),
  ]);

  it('signals the running containers only; SIGKILL stops them for good', () => {
    const plan = containerCommandPlan({ command: 'kill', services: [], signal: 'SIGKILL' }, stack);
    expect(planToText(plan)).toBe(`plan for p: 2 operations
  kill:p-web-1  container.signal p-web-1 SIGKILL (stops it)
      because kill
  kill:p-db-1  container.signal p-db-1 SIGKILL (stops it)
      because kill
`);
  });

  it("the container's own stop signal (in any spelling) stops it too; another signal does not", () => {
    const ops = containerCommandPlan({ command: 'kill', services: [], signal: 'INT' }, stack).operations;
    expect(ops.map((o) => o.kind === 'container.signal' && [o.name, o.stops])).toEqual([
      ['p-web-1', false],
      ['p-db-1', true],
    ]);
    const usr1 = containerCommandPlan({ command: 'kill', services: ['web'], signal: '10' }, stack).operations;
    expect(usr1.map((o) => o.kind === 'container.signal' && [o.name, o.signal, o.stops])).toEqual([
      ['p-web-1', '10', false],
    ]);
  });

  it('nothing running: a note, as compose says "no container to kill"', () => {
    const plan = containerCommandPlan({ command: 'kill', services: ['done'], signal: 'SIGKILL' }, stack);
    expect(plan.operations).toEqual([]);
    expect(plan.notes).toEqual(['no container to kill']);
  });

  it('a service without a container is a PlanError', () => {
    expect(() => containerCommandPlan({ command: 'kill', services: ['nope'], signal: 'SIGKILL' }, stack)).toThrow(
      PlanError,
    );
  });
});

describe('pause and unpause', () => {
  const stack = observed([container('web'), container('db', { paused: true }), container('done', { running: false })]);

  it('pause freezes the running containers not paused yet; unpause thaws the paused ones', () => {
    const pause = containerCommandPlan({ command: 'pause', services: [] }, stack).operations;
    expect(pause.map((o) => o.kind === 'container.freeze' && [o.name, o.frozen])).toEqual([['p-web-1', true]]);
    const unpause = containerCommandPlan({ command: 'unpause', services: [] }, stack).operations;
    expect(unpause.map((o) => o.kind === 'container.freeze' && [o.name, o.frozen])).toEqual([['p-db-1', false]]);
  });
});

describe('rm', () => {
  const nat = {
    table: 'stk_p_1',
    hash: 'h',
    present: true,
    networks: [{ bridge: 'stkb1', subnet: '10.0.0.0/24', key: 'default' }],
    ports: [
      {
        service: 'web',
        container: 'p-web-1',
        protocol: 'tcp' as const,
        hostPort: 8080,
        containerIp: '10.0.0.2',
        containerPort: 80,
      },
      {
        service: 'done',
        container: 'p-done-1',
        protocol: 'tcp' as const,
        hostPort: 8081,
        containerIp: '10.0.0.3',
        containerPort: 80,
      },
    ],
  };
  const volumes = [
    { name: 'p-done-1_anon_abc', project: 'p', anonymous: true },
    { name: 'p-web-1_anon_abc', project: 'p', anonymous: true },
    { name: 'p_data', project: 'p', anonymous: false },
  ];
  const stack = observed([container('web'), container('done', { running: false })], { nat, volumes });

  it('removes the stopped containers and their published ports, not the running ones', () => {
    const plan = containerCommandPlan({ command: 'rm', services: [], stop: false, volumes: false }, stack);
    expect(plan.operations.map((o) => o.id)).toEqual(['remove:p-done-1', 'nat']);
    const rules = plan.operations.find((o) => o.kind === 'nat.apply');
    expect(rules?.kind === 'nat.apply' && rules.nat.ports.map((p) => p.container)).toEqual(['p-web-1']);
  });

  it('-s removes the running ones too; -v their anonymous volumes, never named ones', () => {
    const plan = containerCommandPlan({ command: 'rm', services: [], stop: true, volumes: true }, stack);
    expect(plan.operations.map((o) => o.id)).toEqual([
      'remove:p-web-1',
      'remove:p-done-1',
      'nat',
      'volume-remove:p-done-1_anon_abc',
      'volume-remove:p-web-1_anon_abc',
    ]);
    const v = plan.operations.find((o) => o.kind === 'volume.remove');
    expect(v?.after).toEqual(['remove:p-web-1', 'remove:p-done-1']);
  });

  it('nothing stopped: nothing to do', () => {
    const plan = containerCommandPlan({ command: 'rm', services: ['web'], stop: false, volumes: true }, stack);
    expect(plan.operations).toEqual([]);
    expect(plan.notes).toEqual(['no container to remove']);
  });
});
