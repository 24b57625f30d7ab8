// `stack create` (docker compose create): the plan of `up` with the containers made and not
// started. Every operation that is not about a container stays (networks, the NAT table,
// the removal of what no record describes); a container the service does not have yet is
// created (`container.create`) instead of started; the rest of the containers are left as
// they are (compose's create does not start, stop or replace them), and what waits for a
// start goes with it. Pure.

import type { Operation } from '../../model/plan.js';

export function asCreatePlan(operations: Operation[], existing: ReadonlySet<string>): Operation[] {
  const kept = operations.flatMap((op): Operation[] => {
    if (op.kind === 'container.start') {
      if (existing.has(op.container.displayName ?? op.container.name)) return [];
      const { releaseAfter: _gate, preStart: _pre, kind: _kind, ...rest } = op;
      return [{ ...rest, kind: 'container.create', cause: `${op.cause}; created, not started` }];
    }
    const salvage = op.kind === 'container.remove' && op.id.startsWith('salvage:');
    return op.kind.startsWith('container.') && !salvage ? [] : [op];
  });
  const ids = new Set(kept.map((op) => op.id));
  return kept.map((op) => ({
    ...op,
    after: op.after.filter((id) => ids.has(id)),
    ...(op.settled ? { settled: op.settled.filter((id) => ids.has(id)) } : {}),
  }));
}
