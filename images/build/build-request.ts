// What one image build is asked to do, and the two things the builder is given from
// outside: a runner for RUN steps (a container of stack's runtime, made by the executor
// over the Host interface, so images/ stays free of kernel code and a fake can stand in)
// and a listener for progress. `stack build`, `up` and the tests all fill these in.

import type { ExtraHost } from '../../model/types.js';

export interface BuildRequest {
  /** Absolute folder the COPY/ADD sources come from (compose `build.context`). */
  context: string;
  /** The Dockerfile: a file (absolute path) or compose's `dockerfile_inline` text. */
  dockerfile: { file: string } | { inline: string };
  /** `--build-arg`/`build.args`, already interpolated; a key without a value is left out. */
  buildArgs: ReadonlyMap<string, string>;
  /** Stage to stop at (`build.target`); the last one when absent. */
  target?: string;
  /** References the image is stored under; the first is the image's main name. */
  tags: string[];
  /** `build.labels`, set on the image over the Dockerfile's LABELs. */
  labels: Record<string, string>;
  /** `--no-cache`/`build.no_cache`: run every step again. */
  noCache: boolean;
  /** `--pull`/`build.pull`: fetch base images again even when stored. */
  pull: boolean;
  /** RUN's network unless a step says `--network`: `default` has egress through a build bridge. */
  network: 'default' | 'none' | 'host';
  extraHosts: ExtraHost[];
  shmSizeBytes?: number;
  /** `RUN --mount=type=secret,id=ID` reads these host files; uid, gid and mode are defaults the mount may override. */
  secrets: { id: string; file: string; uid?: string; gid?: string; mode?: number }[];
  /** `build.additional_contexts`: name → absolute folder, or `image:REF` for an image. */
  additionalContexts: Record<string, string>;
}

/** One mount of a RUN step, resolved to the host: a context/stage folder, a cache folder, a tmpfs, a secret file. */
export interface RunStepMount {
  type: 'bind' | 'tmpfs' | 'file';
  /** bind/file: absolute host path; tmpfs: unused. */
  source: string;
  target: string;
  readOnly: boolean;
}

export interface RunStepInput {
  /** The build's id, unique among the builds running on this host (names its stack and network). */
  buildId: string;
  /** The step's number in the build (names its container and folders). */
  step: number;
  /** Layer digests of the stage so far, base layer first (all in the layer store). */
  layers: string[];
  argv: string[];
  env: string[];
  user: string;
  workdir: string;
  network: 'default' | 'none' | 'host';
  extraHosts: ExtraHost[];
  shmSizeBytes?: number;
  mounts: RunStepMount[];
}

export interface RunStepResult {
  exitCode: number;
  /** The container's overlay upper folder: what the step changed (kept until `release`). */
  upper: string;
  /** Removes the container and its folders (the upper one included, unless moved away). */
  release(): Promise<void>;
}

export interface StepRunner {
  /** Runs one RUN step to its end; the step's output (stdout and stderr) goes to `onOutput`. */
  run(input: RunStepInput, onOutput: (chunk: Buffer) => void): Promise<RunStepResult>;
  /** The build has ended (built or failed): what its steps shared (the network) goes. */
  end(buildId: string): Promise<void>;
  /**
   * A RUN step will run (an earlier step missed the cache, so every later one misses too):
   * what the first one waits for (its lock, the sweep of killed builds, its network when
   * `network`) is started while the steps before it run. `run` reports any failure of it.
   */
  prepare?(buildId: string, network: boolean): void;
}

/** What a build reports as it goes; `stack build` renders it (listr2 on a TTY, plain lines otherwise). */
export interface BuildEvents {
  /** A step starts: `[stage i/n] RUN …` as docker prints it. */
  stepStarted(step: { stage: string; index: number; count: number; text: string }): void;
  /** A step's output, as it comes (RUN only). */
  stepOutput(chunk: Buffer): void;
  /** A step ended: taken from the build cache or run, in `ms`. */
  stepDone(step: { cached: boolean; ms: number }): void;
}
