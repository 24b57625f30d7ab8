// The planner front end: stack file texts in, a validated and normalised Stack out. The
// stages, in the order docker compose (compose-go loader/) runs them; docs/loader.md has the
// details of each:
//   for each file given (-f, in order), as one model (load-model.ts):
//     1. parse YAML with positions (parse-yaml.ts)
//     2. interpolate ${VAR} in values (interpolate.ts)
//     3. to plain values: anchors, aliases, `<<` merge keys, !reset/!override (yaml-to-js.ts)
//     4. include: load each included model and copy its resources in (include.ts)
//     5. !reset/!override drop what the earlier files set there (merge-files.ts)
//     6. extends (extends.ts)
//     7. merge into the earlier files, one list entry per identity (merge-files.ts)
//   then, on the merged document:
//     8. validate: schema, then semantic rules (validate-schema.ts, validate-rules.ts)
//     9. profiles: drop disabled services (profiles.ts)
//    10. env_file folded into environment (env-files.ts)
//    11. normalise into the typed Stack (normalize.ts)
// Every stage reports all it finds; any problem ends here with one StackFileError that
// carries all diagnostics, sorted, each located in the file that has the problem. Pure: the
// caller passes the texts of the stack files and a reader for the files they name.

import { basename, resolve } from 'node:path';
import { sortDiagnostics, StackFileError, type Diagnostic } from '../../model/diagnostics.js';
import { applyEnvFiles } from './env-files.js';
import { applyLabelFiles } from './label-files.js';
import type { Env } from './interpolate.js';
import { isObj, type LoadContext, type ReadFile } from './load-context.js';
import { loadModel } from './load-model.js';
import { NeedsFullLoad } from './parse-yaml-quick.js';
import { normalize } from './normalize.js';
import { socketPathProblem } from '../../model/name-limits.js';
import { normalizeProjectName, projectNameLengthProblem, projectNameProblem } from './project-name.js';
import { withProjectNameVariable } from './project-name-variable.js';
import type { SourceData } from './source-text.js';
import { applyProfiles } from './profiles.js';
import { loadNotes } from './load-notes.js';
import { diagAt, diagAtPath, locateInTree, sourceSet, type SourceSet } from './source-map.js';
import type { Stack } from '../../model/types.js';
import { validateRules } from './validate-rules.js';
import { prepareSchemaValidator, validateSchema } from './validate-schema.js';
import { cgroupKnobNotes } from './rules/cgroup-knob-notes.js';
import { rootlessLimitNotes } from './rules/rootless-limit-notes.js';
import { cpuRtHostProblems } from './rules/cpu-rt.js';
import { rootlessRefusals, type RootlessHost } from './rules/rootless-refusals.js';

export interface LoadInput {
  /** Stack files in order; later files override earlier ones. `path` is how they are shown. */
  files: { path: string; text: SourceData }[];
  /** `-p NAME` (or COMPOSE_PROJECT_NAME); wins over the file's top-level `name`. */
  projectName?: string;
  /** Project folder: relative paths (env_file, include, …) start here; its basename is the fallback project name. */
  projectDir: string;
  /** Variables for interpolation and for `environment` entries without a value (process env over `.env`). */
  env: Env;
  /** Reads the other files the stack names (extends, include, env_file); none when absent. */
  readFile?: ReadFile;
  /** Folder file names are shown relative to, and `files[].path` is relative to (default: projectDir). */
  cwd?: string;
  /** Active profiles (`--profile`, COMPOSE_PROFILES). */
  profiles?: string[];
  /** The host's CPU count: `cpus` above it is refused. Left out by `config`, which checks the file alone. */
  hostCpus?: number;
  /** The host's Linux security modules: an AppArmor profile or SELinux label is refused where one enforces, noted where none does. */
  hostLsms?: readonly string[];
  /** The host's cgroup version: knobs v2 lacks (mem_swappiness, oom_kill_disable) get a located warning there. */
  hostCgroup?: 'v1' | 'v2';
  /** Rootless without a delegated cgroup subtree: cgroup knobs get a located warning (not enforced). */
  hostNoCgroups?: boolean;
  /** Rootless mode (the CLI runs in the user's namespaces): what needs a capability on the host is refused at its line. */
  hostRootless?: RootlessHost;
  /** cgroup v1's cpu groups have cpu.rt_runtime_us: cpu_rt_* are refused at their line where not (nor on v2). */
  hostRtGroupSched?: boolean;
  /** STACK_RUN, where the supervisor's socket will be: a name making that path too long is refused. */
  runDir?: string;
  /** Hears warnings (a variable used but not set), located. */
  onWarning?: (warning: Diagnostic) => void;
}

/** The project name: -p (or COMPOSE_PROJECT_NAME), else the file's `name:`, both as given; else the folder's name, normalised. */
function projectName(input: LoadInput, raw: unknown, files: SourceSet, diags: Diagnostic[]): string {
  const top = { file: files[0]!.path, line: 1, col: 1 };
  const fromFile = isObj(raw) && typeof raw.name === 'string' ? raw.name : undefined;
  let project: string;
  let report: (message: string) => Diagnostic;
  let problem: string | undefined;
  if (input.projectName !== undefined) {
    // The CLI refuses an invalid -p before loading; checked again for other callers.
    project = input.projectName;
    problem = projectNameProblem(project);
    report = (m) => diagAt(files[0]!, top, `${m} (given with -p or COMPOSE_PROJECT_NAME)`);
  } else if (fromFile !== undefined) {
    project = fromFile;
    problem = projectNameProblem(project);
    report = (m) => diagAtPath(files, ['name'], m);
  } else {
    const folder = basename(input.projectDir);
    project = normalizeProjectName(folder);
    problem =
      project === ''
        ? `the folder name "${folder}" gives no project name (it has no letters or digits)`
        : projectNameLengthProblem(project);
    report = (m) => diagAt(files[0]!, top, `${m}; set a top-level "name" or use -p`);
  }
  problem ??= input.runDir === undefined ? undefined : socketPathProblem(input.runDir, project);
  if (problem) diags.push(report(problem));
  return project;
}

/** `image: ""` beside `build:` means no image name, as in compose-go (an empty image alone stays an error). */
function dropEmptyImagesBesideBuild(raw: Record<string, unknown>): void {
  const services = isObj(raw.services) ? raw.services : {};
  for (const svc of Object.values(services))
    if (isObj(svc) && svc.image === '' && svc.build !== undefined) delete svc.image;
}

function fail(diagnostics: Diagnostic[]): never {
  throw new StackFileError(sortDiagnostics(diagnostics));
}

/**
 * Loads the quick way first (parse-yaml-quick.ts) when one file is given; the full way when
 * that cannot promise the same result, and always for a file with a problem or a warning, so
 * that each is reported where it is written.
 */
export function loadStack(input: LoadInput): Stack {
  if (input.files.length === 1) {
    try {
      return loadStackWith(input, true);
    } catch (e) {
      if (!(e instanceof NeedsFullLoad) && !(e instanceof StackFileError)) throw e;
    }
  }
  return loadStackWith(input, false);
}

/** The full way only: what the quick way must agree with (test/planner/quick-load.test.ts). */
export function loadStackFully(input: LoadInput): Stack {
  return loadStackWith(input, false);
}

function loadStackWith(given: LoadInput, quick: boolean): Stack {
  const input: LoadInput = quick
    ? {
        ...given,
        onWarning: (w) => {
          throw new NeedsFullLoad(`a warning: ${w.message}`);
        },
      }
    : given;
  if (input.files.length === 0) fail([{ file: '(none)', line: 1, col: 1, message: 'no stack file given' }]);
  const cwd = input.cwd ?? input.projectDir;
  const main = input.files.map((f) => ({ ...f, abs: resolve(cwd, f.path) }));
  const ctx: LoadContext = {
    readFile: input.readFile ?? (() => undefined),
    cwd,
    given: new Map(main.map((f) => [f.abs, f])),
    files: [],
    diagnostics: [],
    lineProblems: [],
    warnings: [],
    quick,
  };
  const env = withProjectNameVariable(
    input.env,
    input.projectName,
    main.map((f) => f.text),
    input.projectDir,
  );
  prepareSchemaValidator();
  const raw = loadModel(ctx, {
    files: main.map((f) => f.abs),
    projectDir: input.projectDir,
    env,
    chain: [],
  });
  for (const w of ctx.warnings) input.onWarning?.(w);
  if (!ctx.diagnostics.length && Object.keys(raw).length === 0) {
    // An empty override file is fine; nothing at all to load is not (compose: "empty compose file").
    ctx.diagnostics.push({ file: main[0]!.path, line: 1, col: 1, message: 'the top level must be a mapping' });
  }
  if (ctx.diagnostics.length) fail([...ctx.diagnostics, ...ctx.lineProblems]);
  // A value whose interpolation failed is left as written; what later stages say about it
  // on the same line would only repeat the problem.
  const failedLines = new Set(ctx.lineProblems.map((d) => `${d.file}:${d.line}`));
  dropEmptyImagesBesideBuild(raw);
  const files = sourceSet(ctx.files, raw);
  const schemaProblems = validateSchema(raw, files);
  // One bad value is reported once: a rule that looks at a value the schema already refused
  // would only say the same thing again in other words.
  const refused = new Set(schemaProblems.map((d) => `${d.file}:${d.line}:${d.col}`));
  const ruleProblems = [
    ...validateRules(raw, files, {}, input.hostCpus, input.hostLsms),
    ...cpuRtHostProblems(raw, files, { cgroup: input.hostCgroup, rtGroupSched: input.hostRtGroupSched }),
    ...rootlessRefusals(raw, files, input.hostRootless),
  ].filter((d) => !refused.has(`${d.file}:${d.line}:${d.col}`));
  const checked = [...schemaProblems, ...ruleProblems];
  const diags = [...ctx.lineProblems, ...checked.filter((d) => !failedLines.has(`${d.file}:${d.line}`))];
  const project = projectName(input, raw, files, diags);
  if (diags.length) fail(diags);
  for (const note of loadNotes(raw, files, input.hostLsms)) input.onWarning?.(note);
  for (const note of cgroupKnobNotes(raw, files, input.hostCgroup)) input.onWarning?.(note);
  for (const note of rootlessLimitNotes(raw, files, input.hostNoCgroups)) input.onWarning?.(note);

  diags.push(...applyProfiles(raw as Record<string, unknown>, input.profiles ?? [], files));
  diags.push(...applyEnvFiles(ctx, raw as Record<string, unknown>, input.projectDir, env, files));
  diags.push(...applyLabelFiles(ctx, raw as Record<string, unknown>, input.projectDir, files));
  if (diags.length) fail(diags);

  return normalize({
    raw,
    project,
    file: main[0]!.path,
    projectDir: input.projectDir,
    env,
    servicePos: (name) => locateInTree(raw, ['services', name], 'key')?.pos ?? { file: main[0]!.path, line: 1, col: 1 },
  });
}
