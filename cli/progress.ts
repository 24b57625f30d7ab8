// Renders a plan and the executor's progress events on stderr, one plain line per event.
// Lines, not a live display: they stay readable in CI logs and pipes.

import type { Plan } from '../planner/plan.js';
import type { Message } from '../supervisor/protocol.js';

export function progressPrinter(out: NodeJS.WritableStream = process.stderr): (m: Message) => void {
  const subjects = new Map<string, string>();
  return (m) => {
    if (m.type === 'plan') {
      printPlanSummary(m.plan, out);
      for (const op of m.plan.operations) subjects.set(op.id, op.id);
      return;
    }
    if (m.type !== 'progress') return;
    const e = m.event;
    switch (e.type) {
      case 'start':
        subjects.set(e.id, `${e.kind} ${e.subject.split(' ')[0]}`);
        return;
      case 'done':
        out.write(` ✔ ${subjects.get(e.id)} (${e.ms} ms)\n`);
        return;
      case 'failed':
        out.write(` ✖ ${subjects.get(e.id)}: ${e.message}\n`);
        return;
      case 'skipped':
        out.write(` - ${e.id} skipped: ${e.reason}\n`);
        return;
    }
  };
}

function printPlanSummary(plan: Plan, out: NodeJS.WritableStream): void {
  if (plan.operations.length === 0) out.write(`stack ${plan.project} is up to date\n`);
  for (const note of plan.notes) out.write(`note: ${note}\n`);
}
