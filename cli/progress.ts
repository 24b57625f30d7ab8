// Renders a plan and the executor's progress events on stderr. Not on a terminal: one plain
// line per event, readable in CI logs and pipes (tests parse them). On a terminal: a live
// listr2 task list (cli/progress-tty.ts, loaded only then).

import type { Plan } from '../model/plan.js';
import { planToText } from '../model/plan-text.js';
import type { MessageHandler } from '../supervisor/client.js';
import type { ProgressFormat } from './progress-format.js';
import type { TtyProgress } from './progress-tty.js';
import { escapeControls } from './terminal-text.js';
import { drawsLive, progressMode } from './terminal-mode.js';

export interface PrinterOptions {
  /** Print the whole plan (operations with their causes) before the progress: watch cycles do. */
  showPlan?: boolean;
  /** `json`: the plan and every progress event as one JSON object per line on stdout. */
  format?: ProgressFormat;
}

export function progressPrinter(
  out: NodeJS.WritableStream = process.stderr,
  opts: PrinterOptions = {},
): MessageHandler {
  const mode = progressMode();
  if (opts.format === 'json' || mode === 'json') return jsonPrinter(process.stdout);
  // --progress quiet: errors still come as the request's rejection, rendered by errors.ts.
  if (mode === 'quiet') return () => {};
  if (drawsLive(out)) return livePrinter(out as NodeJS.WriteStream, opts);
  const subjects = new Map<string, string>();
  return (m) => {
    if (m.type === 'plan') {
      printPlanSummary(m.plan, out, opts);
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
        for (const w of e.warnings ?? []) out.write(` ! ${escapeControls(w)}\n`);
        return;
      case 'failed':
        out.write(` ✖ ${subjects.get(e.id)}: ${escapeControls(e.message)}\n`);
        return;
      case 'skipped':
        out.write(` - ${e.id} skipped: ${e.reason}\n`);
        return;
    }
  };
}

/** Machines read the supervisor's own messages, one per line, and nothing else. */
function jsonPrinter(out: NodeJS.WritableStream): MessageHandler {
  return (m) => {
    if (m.type === 'plan') out.write(`${JSON.stringify({ type: 'plan', plan: m.plan })}\n`);
    else if (m.type === 'progress') out.write(`${JSON.stringify({ type: 'progress', event: m.event })}\n`);
  };
}

/**
 * The live display. Messages arrive synchronously while the module loads, so each is
 * chained on the display's promise (in order); `end` lets the request finish only after
 * the last frame is drawn.
 */
function livePrinter(out: NodeJS.WriteStream, opts: PrinterOptions): MessageHandler {
  const loading = import('./progress-tty.js');
  let live: Promise<TtyProgress | undefined> = Promise.resolve(undefined);
  const handler: MessageHandler = (m) => {
    if (m.type === 'plan') {
      printPlanSummary(m.plan, out, opts);
      if (m.plan.operations.length > 0) live = loading.then((mod) => mod.startTtyProgress(m.plan, out));
      return;
    }
    if (m.type !== 'progress') return;
    const e = m.event;
    void live.then((l) => l?.event(e));
  };
  handler.end = async () => {
    await (await live)?.end();
  };
  return handler;
}

/** "up to date", the notes, and what drifted and is being repaired (each cause once). */
function printPlanSummary(plan: Plan, out: NodeJS.WritableStream, opts: PrinterOptions): void {
  if (plan.operations.length === 0) out.write(`stack ${plan.project} is up to date\n`);
  else if (opts.showPlan) out.write(planToText(plan));
  for (const note of plan.notes) out.write(`note: ${note}\n`);
  const drift = new Set(
    plan.operations.filter((op) => op.cause.startsWith('drift: ')).map((op) => op.cause.slice('drift: '.length)),
  );
  for (const cause of drift) out.write(`repairing drift: ${cause}\n`);
}
