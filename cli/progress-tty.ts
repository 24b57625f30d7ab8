// The live progress display on a terminal: the plan's operations as a listr2 task list,
// each task driven by the executor's events as they arrive from the supervisor. A task
// shows its subject, waits (◼, dim) until its operation starts, spins while it runs, and
// ends ✔ with the executor's milliseconds, ✖ with the message, or skipped with the reason. Loaded by cli/progress.ts only when stderr is a TTY (listr2 costs start-up).

import {
  color,
  DefaultRenderer,
  figures,
  Listr,
  ListrDefaultRendererLogLevels,
  ListrLogger,
  ListrTaskState,
  ProcessOutput,
  type ListrTask,
} from 'listr2';
import { describe } from '../model/plan-text.js';
import type { Operation, Plan } from '../model/plan.js';
import type { ProgressEvent } from '../executor/reporter.js';
import { escapeControls } from './terminal-text.js';

const FRAME_MS = 40;

type Outcome = Exclude<ProgressEvent, { type: 'start' }> | { type: 'unreported' };

interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

interface OperationEvents {
  started: Deferred<void>;
  outcome: Deferred<Outcome>;
}

export interface TtyProgress {
  event(e: ProgressEvent): void;
  /** Settles operations that got no outcome, then waits for the final frame. */
  end(): Promise<void>;
}

/** Starts the live list for `plan` on `out` (a TTY); the plan's notes go above it. */
export function startTtyProgress(plan: Plan, out: NodeJS.WriteStream): TtyProgress {
  for (const note of plan.notes) out.write(`note: ${note}\n`);
  const ops = new Map<string, OperationEvents>(
    plan.operations.map((op) => [op.id, { started: deferred(), outcome: deferred() }]),
  );

  let renderer: DefaultRenderer | undefined;
  // listr2's renderer, to reach it (to end it on Ctrl-C), to render on `out` whether or not
  // stdout is a TTY, and to draw at most one frame per FRAME_MS: listr2 redraws the whole
  // list on every title and state change, which cost 2 s of CPU for 24 containers.
  class Renderer extends DefaultRenderer {
    static override nonTTY = true;
    private frameTimer: NodeJS.Timeout | undefined;
    private ended = false;
    constructor(...args: ConstructorParameters<typeof DefaultRenderer>) {
      super(...args);
      renderer = this;
    }
    override update(): void {
      if (this.ended) return;
      this.frameTimer ??= setTimeout(() => {
        this.frameTimer = undefined;
        if (!this.ended) super.update();
      }, FRAME_MS);
    }
    override end(): void {
      if (this.ended) return;
      this.ended = true;
      clearTimeout(this.frameTimer);
      super.end();
    }
  }

  const list = new Listr(
    plan.operations.map((op) => operationTask(op, ops.get(op.id)!)),
    {
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: Renderer,
      rendererOptions: {
        collapseErrors: false,
        collapseSkips: false,
        formatOutput: 'truncate',
        // A skipped task: `↓ title`, then `› skipped: reason` (listr2 would show ⚠ and ↓).
        icon: {
          [ListrDefaultRendererLogLevels.SKIPPED_WITHOUT_COLLAPSE]: figures.arrowDown,
          [ListrDefaultRendererLogLevels.SKIPPED_WITH_COLLAPSE]: figures.pointerSmall,
        },
        logger: new ListrLogger({ processOutput: new ProcessOutput(out, out) }),
      },
    },
  );

  // Ctrl-C while the list is live: draw the last frame and show the cursor again, then die
  // of the signal as before (only if nobody else handles SIGINT; `up` does once attached).
  let finished = false;
  const finishNow = () => {
    if (finished) return;
    finished = true;
    renderer?.end();
  };
  const onSigint = () => {
    for (const task of list.tasks) if (task.isStarted()) task.state$ = ListrTaskState.FAILED;
    finishNow();
    process.kill(process.pid, 'SIGINT');
  };
  const ownsSigint = process.listenerCount('SIGINT') === 0;
  if (ownsSigint) process.once('SIGINT', onSigint);
  process.once('exit', finishNow);
  const done = list.run().then(
    () => undefined,
    () => undefined,
  );

  return {
    event(e) {
      const op = ops.get(e.id);
      if (!op) return;
      if (e.type === 'start') op.started.resolve();
      else op.outcome.resolve(e);
    },
    async end() {
      for (const op of ops.values()) op.outcome.resolve({ type: 'unreported' });
      await done;
      finished = true;
      if (ownsSigint) process.removeListener('SIGINT', onSigint);
      process.removeListener('exit', finishNow);
    },
  };
}

function operationTask(op: Operation, events: OperationEvents): ListrTask {
  const label = `${op.kind} ${describe(op)}`;
  return {
    title: color.dim(label),
    task: async (_ctx, task) => {
      // listr2 starts every task of a concurrent list at once; until the executor starts
      // this operation, show it as listr2 shows a task not started yet (◼, no spinner).
      task.task.state$ = ListrTaskState.WAITING;
      const outcome = await Promise.race([events.started.promise.then(() => undefined), events.outcome.promise]);
      task.task.state$ = ListrTaskState.STARTED;
      if (!outcome) task.title = label;
      const e = outcome ?? (await events.outcome.promise);
      switch (e.type) {
        case 'done':
          task.title = `${label} ${color.dim(`(${e.ms} ms)`)}${(e.warnings ?? []).map((w) => `\n${color.yellow(`! ${escapeControls(w)}`)}`).join('')}`;
          return;
        case 'failed':
          task.title = label;
          throw new Error(escapeControls(e.message));
        case 'skipped':
          task.title = label;
          task.skip(`skipped: ${e.reason}`);
          return;
        case 'unreported':
          task.title = label;
          task.skip('no outcome: the supervisor closed the connection first');
          return;
      }
    },
  };
}
