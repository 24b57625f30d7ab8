// The live build display on a terminal: one listr2 task per image, titled with its current
// step (`[2/5] RUN npm ci`), the step's last output lines under it while it runs, and at the
// end ✔ with the image it stored or ✖ with the first line of the error. Loaded by
// cli/build-progress.ts only on a TTY (listr2 costs start-up).

import { color, DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import { lineSplitter, type BuildProgress, type JobProgress } from './build-progress.js';
import { escapeLine } from './terminal-text.js';

/** RUN output lines kept under a running step. */
const OUTPUT_LINES = 5;

type Outcome = { ok: true; ref: string } | { ok: false; message: string };

interface JobState {
  setTitle?: (title: string) => void;
  setOutput?: (text: string) => void;
  resolve: (o: Outcome) => void;
  outcome: Promise<Outcome>;
}

export function startBuildTty(labels: string[], out: NodeJS.WriteStream): BuildProgress {
  const jobs = new Map<string, JobState>();
  for (const label of labels) {
    let resolve!: (o: Outcome) => void;
    const outcome = new Promise<Outcome>((r) => (resolve = r));
    jobs.set(label, { resolve, outcome });
  }
  const tasks: ListrTask[] = labels.map((label) => ({
    title: label,
    // One output entry: the step's last lines, joined here (listr2 would keep older entries too).
    rendererOptions: { outputBar: 1, persistentOutput: false },
    task: async (_ctx, task) => {
      const s = jobs.get(label)!;
      s.setTitle = (t) => (task.title = `${label} ${color.dim(t)}`);
      s.setOutput = (t) => (task.output = t);
      const o = await s.outcome;
      task.output = '';
      task.title = o.ok ? `${label} ${color.dim(`built ${o.ref}`)}` : label;
      if (!o.ok) throw new Error(o.message.split('\n')[0]);
    },
  }));
  const list = new Listr(tasks, {
    concurrent: true,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: DefaultRenderer,
    rendererOptions: {
      collapseErrors: false,
      logger: new ListrLogger({ processOutput: new ProcessOutput(out, out) }),
    },
  });
  const done = list.run().then(
    () => undefined,
    () => undefined,
  );
  return {
    job(label): JobProgress {
      const s = jobs.get(label)!;
      let tail: string[] = [];
      const lines = lineSplitter((line) => {
        tail = [...tail, escapeLine(line)].slice(-OUTPUT_LINES);
        s.setOutput?.(tail.join('\n'));
      });
      return {
        stepStarted(step) {
          tail = [];
          s.setOutput?.('');
          s.setTitle?.(`[${step.stage ? `${step.stage} ` : ''}${step.index}/${step.count}] ${step.text}`);
        },
        stepOutput: (chunk) => lines.push(chunk),
        stepDone: () => lines.flush(),
        built: (ref) => s.resolve({ ok: true, ref }),
        failed: (message) => s.resolve({ ok: false, message }),
      };
    },
    async end() {
      for (const s of jobs.values()) s.resolve({ ok: false, message: 'not finished' });
      await done;
    },
  };
}
