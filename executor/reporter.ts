// How the executor tells the world what it is doing. The supervisor forwards these events
// to the CLI, which renders them (listr2 on a TTY, plain lines otherwise).

import type { Operation } from '../model/plan.js';

export type ProgressEvent =
  | { type: 'start'; id: string; kind: Operation['kind']; subject: string }
  | { type: 'done'; id: string; ms: number; warnings?: string[] }
  | { type: 'failed'; id: string; message: string }
  | { type: 'skipped'; id: string; reason: string };

export interface Reporter {
  event(e: ProgressEvent): void;
}

export const silentReporter: Reporter = { event: () => {} };
