// Renders image pull progress on stderr. Not on a terminal: one plain line per layer event
// that matters (readable in CI logs; tests parse them). On a terminal: a live listr2 list,
// one task per layer with its bytes (cli/pull-progress-tty.ts, loaded only then).

import type { PullEvent } from '../images/pull-image.js';
import { drawsLive, progressMode } from './terminal-mode.js';

export interface PullPrinter {
  event(e: PullEvent): void;
  /** Waits for the last frame; call once the pull has finished or failed. */
  end(): Promise<void>;
}

export const shortDigest = (digest: string): string => digest.slice('sha256:'.length, 'sha256:'.length + 12);

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}

export function pullPrinter(out: NodeJS.WritableStream = process.stderr): PullPrinter {
  if (progressMode() === 'quiet') return { event() {}, end: async () => {} };
  if (drawsLive(out)) return livePrinter(out as NodeJS.WriteStream);
  return {
    event(e) {
      switch (e.type) {
        case 'resolved':
          out.write(`pulling ${e.ref} (${e.manifest}, ${e.layers.length} layer${e.layers.length === 1 ? '' : 's'})\n`);
          return;
        case 'layer-cached':
          out.write(` ✔ layer ${shortDigest(e.digest)} already present\n`);
          return;
        case 'layer-done':
          out.write(` ✔ layer ${shortDigest(e.digest)} pulled\n`);
          return;
        case 'layer-failed':
          out.write(` ✖ layer ${shortDigest(e.digest)}: ${e.message}\n`);
          return;
        default:
          return;
      }
    },
    end: async () => {},
  };
}

/** Events arrive before listr2 has loaded: each is chained on the display's promise, in order. */
function livePrinter(out: NodeJS.WriteStream): PullPrinter {
  const loading = import('./pull-progress-tty.js');
  let live: Promise<PullPrinter | undefined> = Promise.resolve(undefined);
  return {
    event(e) {
      if (e.type === 'resolved') live = loading.then((mod) => mod.startPullTty(e, out));
      else void live.then((l) => l?.event(e));
    },
    async end() {
      await (await live)?.end();
    },
  };
}
