// What a build will do, as data: per stage its base and its steps with every value
// expanded, and the image config the stage ends with (the OCI config's fields, in the
// image spec's spelling, so the builder writes it as it is).

import type { SourcePos } from './dockerfile-instructions.js';
import type { CopyOptions } from './dockerfile-types.js';

export type StageRef = { kind: 'scratch' } | { kind: 'stage'; index: number } | { kind: 'image'; ref: string };

export interface ImageConfig {
  env: string[];
  cmd?: string[];
  entrypoint?: string[];
  workingDir?: string;
  user?: string;
  labels: Record<string, string>;
  exposedPorts: Record<string, object>;
  volumes: Record<string, object>;
  stopSignal?: string;
  /** The Dockerfile's SHELL for shell-form commands; not part of the OCI config. */
  shell?: string[];
  /** Durations in nanoseconds, as docker's config keeps them. */
  healthcheck?: {
    test: string[];
    interval?: number;
    timeout?: number;
    startPeriod?: number;
    startInterval?: number;
    retries?: number;
  };
  onBuild?: string[];
  author?: string;
}

export function emptyConfig(): ImageConfig {
  return { env: [], labels: {}, exposedPorts: {}, volumes: {} };
}

export interface RunStep extends SourcePos {
  kind: 'run';
  argv: string[];
  /** ENV in effect, then the ARGs in scope that no ENV overrides (docker passes both to RUN). */
  env: string[];
  user: string;
  workdir: string;
  network: 'default' | 'none' | 'host';
  mounts: { type: string; options: Record<string, string>; from?: StageRef }[];
  heredocs: { name: string; body: string }[];
}

export interface CopyStep extends SourcePos, CopyOptions {
  kind: 'copy';
  add: boolean;
  from: { kind: 'context' } | StageRef;
  sources: string[];
  /** Absolute; ends in `/` when the Dockerfile says the destination is a folder. */
  dest: string;
  heredocs: { name: string; body: string }[];
}

/** WORKDIR makes its folder when missing, as docker does. */
export interface WorkdirStep extends SourcePos {
  kind: 'workdir';
  path: string;
}

export type BuildStep = RunStep | CopyStep | WorkdirStep;

export interface BuildStage {
  index: number;
  name?: string;
  base: StageRef;
  steps: BuildStep[];
  config: ImageConfig;
}

/**
 * A Dockerfile that parses but cannot be built as asked (unknown target, bad expansion …).
 * `pos` and the message are the first mistake; `problems` lists every one, each located,
 * so all of them are reported at once.
 */
export class BuildPlanError extends Error {
  readonly problems: { pos: SourcePos; message: string }[];
  constructor(
    readonly pos: SourcePos,
    message: string,
    more: { pos: SourcePos; message: string }[] = [],
  ) {
    super(message);
    this.name = 'BuildPlanError';
    this.problems = [{ pos, message }, ...more];
  }

  /** One error for several, in the Dockerfile's order. */
  static all(errors: BuildPlanError[]): BuildPlanError {
    const problems = errors.flatMap((e) => e.problems).sort((a, b) => a.pos.line - b.pos.line || a.pos.col - b.pos.col);
    const [first, ...rest] = problems;
    return new BuildPlanError(first!.pos, first!.message, rest);
  }
}
