// What up and down do with objects no readable record describes (observed.unrecorded):
// removed by name before anything else of the plan, with a note naming each damaged record.

import { describe, expect, it } from 'vitest';
import { emptyObserved, type Observed } from '../../model/observed.js';
import { teardown } from '../../planner/plan/teardown.js';
import { orderEdges } from '../../planner/plan/order-edges.js';
import { salvageNotes, salvageOperations } from '../../planner/plan/salvage.js';
import type { Operation } from '../../model/plan.js';

/** An `up` plan's operations (order-edges.ts) and notes (reconcile.ts) with the salvage of `observed`. */
const withSalvage = (plan: { operations: Operation[]; notes: string[] }, o: Observed) => ({
  ...plan,
  operations: orderEdges({ salvage: salvageOperations(o), networks: [], nat: [], containers: plan.operations }),
  notes: [...salvageNotes(o), ...plan.notes],
});

const observed: Observed = {
  ...emptyObserved('p'),
  unrecorded: {
    damaged: ['state record /x/p-web-1.json is damaged: the file is empty'],
    containers: [{ name: 'p-web-1', hostVeths: ['stkv1'] }],
    networks: [{ key: 'default', bridge: 'stkb1' }],
    natTable: 'stk_p_1',
  },
  skippedRecords: ['state record /x/q-db-1.json is damaged: spec is missing'],
};

describe('salvage', () => {
  it('up: the removals come first and every other operation waits for them', () => {
    const plan = {
      project: 'p',
      notes: [],
      operations: [{ kind: 'stack.forget', id: 'x', cause: 'c', after: [], project: 'p' } as Operation],
    };
    const out = withSalvage(plan, observed);
    expect(out.operations.map((o) => [o.id, o.after])).toEqual([
      ['salvage:p-web-1', []],
      ['salvage-nat', ['salvage:p-web-1']],
      ['salvage-network:default', ['salvage:p-web-1']],
      ['x', ['salvage:p-web-1', 'salvage-nat', 'salvage-network:default']],
    ]);
    expect(out.notes).toEqual([
      'state record /x/p-web-1.json is damaged: the file is empty; what it described is removed by name',
      "skipped: state record /x/q-db-1.json is damaged: spec is missing (another stack's; its own commands report it)",
    ]);
  });

  it('down: removes them by name with the grace period asked for, then forgets the stack', () => {
    const plan = teardown(observed, { timeoutSeconds: 0 });
    expect(plan.operations.find((o) => o.id === 'salvage:p-web-1')).toMatchObject({
      kind: 'container.remove',
      name: 'p-web-1',
      stopGraceSeconds: 0,
      hostVeths: ['stkv1'],
    });
    expect(plan.operations.at(-1)).toMatchObject({
      kind: 'stack.forget',
      after: ['salvage:p-web-1', 'salvage-nat', 'salvage-network:default'],
    });
  });

  it('nothing unrecorded: the plan is unchanged', () => {
    const plan = { project: 'p', notes: ['n'], operations: [] };
    expect(withSalvage(plan, emptyObserved('p'))).toEqual(plan);
  });
});
