// A plan whose operations wait for each other in a ring can never run: the executor would
// wait forever (or recurse without end). No plan stack makes should have one; this finds
// one so it is reported as the planner bug it is, naming the ring, before anything runs.

import type { Operation } from './plan.js';

/** The first ring of `after`/`settled` waits found, as ids (first id repeated at the end); undefined when there is none. */
export function findCycle(operations: Operation[]): string[] | undefined {
  const byId = new Map(operations.map((op) => [op.id, op]));
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (id: string): string[] | undefined => {
    if (state.get(id) === 'done') return undefined;
    if (state.get(id) === 'open') return [...path.slice(path.indexOf(id)), id];
    const op = byId.get(id);
    if (!op) return undefined;
    state.set(id, 'open');
    path.push(id);
    for (const next of [...op.after, ...(op.settled ?? [])]) {
      const ring = visit(next);
      if (ring) return ring;
    }
    path.pop();
    state.set(id, 'done');
    return undefined;
  };
  for (const op of operations) {
    const ring = visit(op.id);
    if (ring) return ring;
  }
  return undefined;
}
