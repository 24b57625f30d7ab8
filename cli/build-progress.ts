// Renders the progress of image builds on stderr. Not on a terminal (or --progress plain):
// numbered lines as docker's plain progress prints them, `#3 [web 2/5] RUN npm ci`, the
// step's output lines under the same number, then `#3 DONE 1.2s` or `#3 CACHED`. On a
// terminal: a live listr2 list, one task per image, its current step as the title and the
// RUN output's last lines under it (cli/build-progress-tty.ts, loaded only then).
// --progress quiet prints nothing but failures.

import type { BuildEvents } from '../images/build/build-request.js';
import { UsageError } from './usage-error.js';
import { drawsLive, progressMode } from './terminal-mode.js';

export type BuildProgressMode = 'auto' | 'plain' | 'quiet';

/** The progress of one image: the engine's events, then its end. */
export interface JobProgress extends BuildEvents {
  /** The image is built and stored as `ref`. */
  built(ref: string): void;
  failed(message: string): void;
}

export interface BuildProgress {
  /** Progress of the image that `label` names (its services). */
  job(label: string): JobProgress;
  /** Waits for the last frame; call once every build has ended. */
  end(): Promise<void>;
}

export function buildProgressMode(given: string | undefined): BuildProgressMode {
  if (given === undefined || given === 'auto' || given === 'plain' || given === 'quiet') return given ?? 'auto';
  throw new UsageError(`--progress takes auto, plain or quiet, not "${given}"`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)}s`;

/** Splits output chunks into whole lines; a line without its newline yet waits for the rest. */
export function lineSplitter(onLine: (line: string) => void): { push(chunk: Buffer): void; flush(): void } {
  let partial = '';
  return {
    push(chunk) {
      const lines = (partial + chunk.toString('utf8')).split(/\r?\n/);
      partial = lines.pop()!;
      for (const line of lines) onLine(line);
    },
    flush() {
      if (partial !== '') onLine(partial);
      partial = '';
    },
  };
}

/** docker's plain form: one number per step, across every build that runs at the same time. */
function plainProgress(out: NodeJS.WritableStream): BuildProgress {
  let counter = 0;
  return {
    job(label) {
      let n = 0;
      const lines = lineSplitter((line) => out.write(`#${n} ${line}\n`));
      return {
        stepStarted(step) {
          n = ++counter;
          const stage = step.stage ? ` ${step.stage}` : '';
          out.write(`#${n} [${label}${stage} ${step.index}/${step.count}] ${step.text}\n`);
        },
        stepOutput: (chunk) => lines.push(chunk),
        stepDone(step) {
          lines.flush();
          out.write(`#${n} ${step.cached ? 'CACHED' : `DONE ${seconds(step.ms)}`}\n`);
        },
        built: (ref) => out.write(` ✔ ${label}: built ${ref}\n`),
        failed: (message) => (lines.flush(), out.write(` ✖ ${label}: ${message.split('\n')[0]}\n`)),
      };
    },
    end: async () => {},
  };
}

const quietProgress: BuildProgress = {
  job: () => ({ stepStarted() {}, stepOutput() {}, stepDone() {}, built() {}, failed() {} }),
  end: async () => {},
};

export async function buildProgress(
  mode: BuildProgressMode,
  labels: string[],
  out: NodeJS.WritableStream = process.stderr,
): Promise<BuildProgress> {
  if (mode === 'quiet' || progressMode() === 'quiet') return quietProgress;
  if (mode === 'plain' || !drawsLive(out)) return plainProgress(out);
  return (await import('./build-progress-tty.js')).startBuildTty(labels, out as NodeJS.WriteStream);
}
