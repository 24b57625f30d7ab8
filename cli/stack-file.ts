// Finds and reads the stack files named on the command line (or in COMPOSE_FILE, or the
// defaults with their override file) and the project environment (`.env` or --env-file),
// then runs the pure loader. The only place the planner's input touches the filesystem:
// the loader reads the other files it needs (extends, include, env_file) through readFile.

import { isInitialUidMap } from '../model/user-namespaces.js';
import { hardLimitsOf } from '../model/limits.js';
import type { RootlessHost } from '../planner/load/rules/rootless-refusals.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { StackFileError, type Diagnostic, formatDiagnostic } from '../model/diagnostics.js';
import { projectEnvironment } from '../planner/load/dotenv.js';
import type { Env } from '../planner/load/interpolate.js';
import { stackRun } from '../store/paths.js';
import { loadStack } from '../planner/load/load.js';
import { normalizeProjectName, projectNameProblem } from '../planner/load/project-name.js';
import { MAX_SOURCE_BYTES } from '../planner/load/source-text.js';
import type { Stack } from '../model/types.js';
import { escapeLine } from './terminal-text.js';

export interface GlobalOptions {
  file?: string[];
  projectName?: string;
  /** `--env-file`, repeatable: replaces `.env`. */
  envFile?: string[];
  /** `--profile`, repeatable: wins over COMPOSE_PROFILES. */
  profile?: string[];
  /** `--project-directory`: where relative paths and `.env` are found (default: the first file's folder). */
  projectDirectory?: string;
}

/** Default stack files, in order of preference; the first found is used. */
export const DEFAULT_FILES = [
  'stack.yaml',
  'stack.yml',
  'compose.yaml',
  'compose.yml',
  'docker-compose.yaml',
  'docker-compose.yml',
];
/** Override files loaded after a default file found beside them (the first found). */
export const OVERRIDE_FILES = [
  'stack.override.yaml',
  'stack.override.yml',
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

import { UsageError } from './usage-error.js';
import { ProjectOfBrokenFileError } from './project-of-broken-file-error.js';

export { ProjectOfBrokenFileError };

export { UsageError };

/** While loadStackFilesWithSources runs: every path read or tried (watch watches them). */
let recording: Set<string> | undefined;

/**
 * Reads a file the stack names, as bytes (the loader checks they are UTF-8), and no more
 * than one byte past the loader's size limit; undefined when it is missing or not readable.
 */
function readIfFile(abs: string): Buffer | undefined {
  recording?.add(path.resolve(abs));
  let fd: number;
  try {
    fd = fs.openSync(abs, 'r');
  } catch {
    return undefined;
  }
  try {
    return readLimited(fd);
  } catch {
    return undefined;
  } finally {
    fs.closeSync(fd);
  }
}

/** Up to one byte past the loader's size limit from `fd`: a larger file is refused without reading it all. */
function readLimited(fd: number): Buffer {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total <= MAX_SOURCE_BYTES) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, MAX_SOURCE_BYTES + 1 - total));
    const n = fs.readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) break;
    chunks.push(chunk.subarray(0, n));
    total += n;
  }
  return Buffer.concat(chunks, total);
}

/** `-f -`: the stack file is stdin, as with compose. */
export const STDIN_FILE = '-';
/** How diagnostics name the stack file read from stdin (`<stdin>:3:5: …`). */
export const STDIN_NAME = '<stdin>';
/** Stdin is read once: a command may load the file more than once (`restart` does). */
let stdinText: Buffer | undefined;

export function readStdin(): Buffer {
  if (stdinText === undefined) {
    try {
      stdinText = readLimited(0);
    } catch (err) {
      // EAGAIN: a terminal or non-blocking pipe with nothing yet; EOF on a closed stdin reads as empty.
      throw new UsageError(`cannot read the stack file from stdin (-f -): ${(err as Error).message}`);
    }
  }
  return stdinText;
}

interface Project {
  files: string[];
  projectDir: string;
  env: Env;
  profiles: string[];
  projectName?: string;
}

/** The environment of the project: process env over `.env` of `dir` (or the --env-file files). */
function environment(opts: GlobalOptions, dir: string): Env {
  // compose: --env-file, else COMPOSE_ENV_FILES (comma-separated), else the folder's .env.
  const given =
    opts.envFile && opts.envFile.length > 0
      ? opts.envFile
      : (process.env.COMPOSE_ENV_FILES ?? '').split(',').filter((f) => f.trim() !== '');
  const explicit = given.length > 0;
  const names = explicit ? given.map((f) => path.resolve(f)) : [path.join(dir, '.env')];
  const files = names.flatMap((abs) => {
    const text = readIfFile(abs);
    if (text === undefined && explicit)
      throw new UsageError(
        `cannot read env file ${abs} given with ${opts.envFile?.length ? '--env-file' : 'COMPOSE_ENV_FILES'}`,
      );
    return text === undefined ? [] : [{ path: path.relative(process.cwd(), abs) || abs, text }];
  });
  const { env, diagnostics } = projectEnvironment(process.env, files);
  if (diagnostics.length) throw new StackFileError(diagnostics);
  return env;
}

/** The project folder by default: the first file's, or the working folder for none or stdin. */
function firstFileDir(first: string | undefined): string {
  return first === undefined || first === STDIN_FILE ? process.cwd() : path.dirname(path.resolve(first));
}

function discover(dir: string): string[] {
  const found = DEFAULT_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
  if (!found)
    throw new UsageError(`no stack file here: looked for ${DEFAULT_FILES.join(', ')} in ${dir}; pass one with -f FILE`);
  const candidates = OVERRIDE_FILES.map((f) => path.join(dir, f));
  // Watch must notice an override file that appears later, so every candidate counts as read.
  candidates.forEach((f) => recording?.add(f));
  const override = candidates.find((f) => fs.existsSync(f));
  return override ? [found, override] : [found];
}

export function resolveProject(opts: GlobalOptions): Project {
  const given = opts.projectDirectory ? path.resolve(opts.projectDirectory) : undefined;
  const first = opts.file?.[0];
  const env = environment(opts, given ?? firstFileDir(first));
  let files: string[];
  if (opts.file && opts.file.length > 0) files = opts.file.map((f) => (f === STDIN_FILE ? f : path.resolve(f)));
  else if (env.COMPOSE_FILE)
    files = env.COMPOSE_FILE.split(env.COMPOSE_PATH_SEPARATOR || path.delimiter)
      .filter(Boolean)
      .map((f) => path.resolve(given ?? process.cwd(), f));
  else files = discover(given ?? process.cwd());
  const profiles =
    opts.profile && opts.profile.length > 0
      ? opts.profile
      : (env.COMPOSE_PROFILES ?? '')
          .split(',')
          .map((p) => p.trim())
          .filter(Boolean);
  const projectName = opts.projectName ?? (env.COMPOSE_PROJECT_NAME || undefined);
  const problem = projectName === undefined ? undefined : projectNameProblem(projectName);
  if (problem)
    throw new UsageError(`${problem} (given with ${opts.projectName !== undefined ? '-p' : 'COMPOSE_PROJECT_NAME'})`);
  return {
    files,
    projectDir: given ?? firstFileDir(files[0]),
    env,
    profiles,
    ...(projectName ? { projectName } : {}),
  };
}

/** Kept for callers that only need the file names. */
export function stackFilePaths(opts: GlobalOptions): string[] {
  return resolveProject(opts).files;
}

function warn(w: Diagnostic): void {
  process.stderr.write(`warning: ${escapeLine(formatDiagnostic(w))}\n`);
}

/**
 * What a load checks against this host: `cpus` above its CPU count (docker's range). `config`
 * and the project lookup check the file alone, as compose's `config` does.
 */
export interface HostFacts {
  cpus?: number;
  /** STACK_RUN: a project name that makes the supervisor's socket path too long is refused. */
  runDir?: string;
  /** The Linux security modules the kernel enforces (AppArmor, SELinux): what security_opt may ask for. */
  lsms?: readonly string[];
  /** v2 when the unified hierarchy is mounted at /sys/fs/cgroup itself (hybrid hosts count as v1). */
  cgroup?: 'v1' | 'v2';
  /** cgroup v1's cpu hierarchy has cpu.rt_runtime_us (CONFIG_RT_GROUP_SCHED): cpu_rt_* can be honoured. */
  rtGroupSched?: boolean;
  /** Rootless without a delegated cgroup subtree: cgroup knobs are not enforced (a located warning each). */
  noCgroups?: boolean;
  /** Rootless mode: keys that need a capability on the host are refused at load. */
  rootless?: RootlessHost;
}

export function thisHost(): HostFacts {
  // Rootless (a user namespace, told by the kernel, never by a variable): see docs/rootless.md.
  const rootless = !isInitialUidMap(fs.readFileSync('/proc/self/uid_map', 'utf8'));
  return {
    cpus: os.availableParallelism(),
    runDir: stackRun(),
    lsms: hostLsms(),
    cgroup: fs.existsSync('/sys/fs/cgroup/cgroup.controllers') ? 'v2' : 'v1',
    rtGroupSched: fs.existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us'),
    // Rootless without a delegated v2 subtree as its /sys/fs/cgroup: containers get no
    // cgroups here (executor/host/linux/rootless/no-cgroups.ts).
    noCgroups: rootless && !fs.existsSync('/sys/fs/cgroup/cgroup.controllers'),
    ...(rootless ? { rootless: { hardLimits: hardLimitsOf(fs.readFileSync('/proc/self/limits', 'utf8')) } } : {}),
  };
}

/** /sys/kernel/security/lsm (`lockdown,capability,apparmor`); none when securityfs shows none. */
function hostLsms(): string[] {
  try {
    return fs.readFileSync('/sys/kernel/security/lsm', 'utf8').trim().split(',').filter(Boolean);
  } catch {
    return [];
  }
}

/** How one load differs from the usual (`stack convert --format helm` loads again with a variable marked). */
export interface LoadVariant {
  /** The variables the load interpolates with, made from the project's. */
  mapEnv?: (env: Env) => Env;
  /** No warnings on stderr. */
  quiet?: boolean;
}

export function loadStackFiles(opts: GlobalOptions, host: HostFacts = thisHost(), variant: LoadVariant = {}): Stack {
  return loadStackFilesWithSources(opts, host, variant).stack;
}

export interface LoadedStack {
  stack: Stack;
  /**
   * Every file the load read or tried to read (absolute paths): stack and override files,
   * `.env` or --env-file files, and what the loader read through readFile (extends,
   * include, env_file). `up --watch` watches exactly these.
   */
  filesRead: string[];
  /** The stack files themselves (absolute paths, in order): `stack ls` shows them. */
  configFiles: string[];
}

export function loadStackFilesWithSources(
  opts: GlobalOptions,
  host: HostFacts = thisHost(),
  variant: LoadVariant = {},
): LoadedStack {
  const read = new Set<string>();
  recording = read;
  try {
    const project = resolveProject(opts);
    if (project.files.filter((p) => p === STDIN_FILE).length > 1)
      throw new UsageError('-f - reads the stack file from stdin, which can be given only once');
    const files = project.files.map((p) => {
      if (p === STDIN_FILE) return { path: STDIN_NAME, text: readStdin() };
      const text = readIfFile(p);
      if (text === undefined) throw new UsageError(`cannot read stack file ${p}: no such file, or not readable`);
      return { path: path.relative(process.cwd(), p) || p, text };
    });
    const stack = loadStack({
      files,
      projectDir: project.projectDir,
      env: variant.mapEnv ? variant.mapEnv(project.env) : project.env,
      cwd: process.cwd(),
      readFile: readIfFile,
      profiles: project.profiles,
      onWarning: variant.quiet ? () => {} : warn,
      ...(host.cpus === undefined ? {} : { hostCpus: host.cpus }),
      ...(host.runDir === undefined ? {} : { runDir: host.runDir }),
      ...(host.lsms === undefined ? {} : { hostLsms: host.lsms }),
      ...(host.cgroup === undefined ? {} : { hostCgroup: host.cgroup }),
      ...(host.rtGroupSched === undefined ? {} : { hostRtGroupSched: host.rtGroupSched }),
      ...(host.noCgroups ? { hostNoCgroups: true } : {}),
      ...(host.rootless ? { hostRootless: host.rootless } : {}),
      ...(project.projectName ? { projectName: project.projectName } : {}),
    });
    return { stack, filesRead: [...read], configFiles: project.files };
  } finally {
    recording = undefined;
  }
}

/**
 * The project a command acts on. `down`, `ps` and `logs` must work even when the file has
 * since become invalid: then the project must be named (-p or COMPOSE_PROJECT_NAME), as
 * the file no longer says it.
 */
export function projectOf(opts: GlobalOptions): string {
  if (opts.projectName) return opts.projectName; // checked when the command line was read (main.ts)
  try {
    return loadStackFiles(opts, {}).project;
  } catch (err) {
    if (!(err instanceof StackFileError)) throw err;
    const project = resolveProject(opts);
    if (project.projectName) return project.projectName;
    throw new ProjectOfBrokenFileError(
      err.diagnostics,
      project.files.map((f) => path.relative(process.cwd(), f) || f),
      normalizeProjectName(path.basename(project.projectDir)),
    );
  }
}
