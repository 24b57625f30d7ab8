// The live pull display on a terminal: one listr2 task per layer, showing bytes received
// while it downloads, then unpacking, then done (or the error). Loaded by cli/pull-progress.ts.

import { color, DefaultRenderer, Listr, ListrLogger, ProcessOutput, type ListrTask } from 'listr2';
import type { PullEvent } from '../images/pull-image.js';
import { formatBytes, shortDigest, type PullPrinter } from './pull-progress.js';

const FRAME_MS = 80;

type Outcome = { ok: true; note: string } | { ok: false; message: string };

interface LayerState {
  label: string;
  setTitle?: (title: string) => void;
  resolve: (o: Outcome) => void;
  outcome: Promise<Outcome>;
}

export function startPullTty(resolved: Extract<PullEvent, { type: 'resolved' }>, out: NodeJS.WriteStream): PullPrinter {
  out.write(`pulling ${resolved.ref} (${resolved.manifest})\n`);
  const layers = new Map<string, LayerState>();
  for (const l of resolved.layers) {
    let resolve!: (o: Outcome) => void;
    const outcome = new Promise<Outcome>((r) => (resolve = r));
    const size = l.size !== undefined ? ` ${color.dim(formatBytes(l.size))}` : '';
    layers.set(l.digest, { label: `layer ${shortDigest(l.digest)}${size}`, resolve, outcome });
  }
  const tasks: ListrTask[] = [...layers.values()].map((s) => ({
    title: s.label,
    task: async (_ctx, task) => {
      s.setTitle = (t) => (task.title = t);
      const o = await s.outcome;
      task.title = `${s.label} ${color.dim(o.ok ? o.note : '')}`;
      if (!o.ok) throw new Error(o.message);
    },
  }));
  const list = new Listr(tasks, {
    concurrent: true,
    exitOnError: false,
    registerSignalListeners: false,
    renderer: DefaultRenderer,
    rendererOptions: { collapseErrors: false, logger: new ListrLogger({ processOutput: new ProcessOutput(out, out) }) },
  });
  const done = list.run().then(
    () => undefined,
    () => undefined,
  );
  const lastDraw = new Map<string, number>();
  return {
    event(e) {
      if (e.type === 'resolved') return;
      const s = layers.get(e.digest);
      if (!s) return;
      switch (e.type) {
        case 'layer-bytes': {
          const now = Date.now();
          if (now - (lastDraw.get(e.digest) ?? 0) < FRAME_MS) return;
          lastDraw.set(e.digest, now);
          s.setTitle?.(`${s.label} ${formatBytes(e.done)}${e.total !== undefined ? ` / ${formatBytes(e.total)}` : ''}`);
          return;
        }
        case 'layer-unpacking':
          s.setTitle?.(`${s.label} unpacking`);
          return;
        case 'layer-cached':
          return s.resolve({ ok: true, note: 'already present' });
        case 'layer-done':
          return s.resolve({ ok: true, note: 'pulled' });
        case 'layer-failed':
          return s.resolve({ ok: false, message: e.message });
      }
    },
    async end() {
      for (const s of layers.values()) s.resolve({ ok: false, message: 'not finished' });
      await done;
    },
  };
}
