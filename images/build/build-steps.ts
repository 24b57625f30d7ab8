// A parsed Dockerfile + build args + target → the steps of each stage the target needs,
// with every value expanded and every path absolute, and the image config each stage ends
// with. Pure: what a step does to files (RUN in a container, COPY from the context) is the
// builder's; this decides what the steps are, in docker's terms, so a test can compare it
// with docker's own reading of the same file.

import path from 'node:path/posix';
import { parseDuration } from '../../model/duration.js';
import { ArgScope, platformArgs, platformString, type Platform } from './build-args.js';
import type { Heredoc } from './dockerfile-lines.js';
import type { SourcePos } from './dockerfile-instructions.js';
import type { CommandForm, Dockerfile, Instruction, RunMount, Stage } from './dockerfile-types.js';
import { ExpandError, expandHeredoc, expandWord } from './expand-word.js';
import { parseDockerfile } from './dockerfile-parse.js';
import {
  BuildPlanError,
  emptyConfig,
  type BuildStage,
  type BuildStep,
  type ImageConfig,
  type StageRef,
} from './build-plan.js';

export interface BuildStepsInput {
  dockerfile: Dockerfile;
  buildArgs: ReadonlyMap<string, string>;
  /** Stage name to build (compose `build.target`); the last stage when absent. */
  target?: string;
  platform: Platform;
  /** The config of a base image (FROM or COPY --from of an image), fetched before planning. */
  imageConfig(ref: string): ImageConfig;
}

export interface BuildSteps {
  /** The stages the target needs, in Dockerfile order; the target is the last. */
  stages: BuildStage[];
  /** Build args no ARG consumed (docker warns about them too). */
  unusedBuildArgs: string[];
}

export function buildSteps(input: BuildStepsInput): BuildSteps {
  const df = input.dockerfile;
  const consumed = new Set<string>();
  const platform = platformArgs(input.platform);
  const global = new ArgScope(input.buildArgs, platform, consumed);
  for (const a of df.globalArgs)
    global.declare(a.name, a.default, new Map([...platform, ...global.values()]), df.escape);
  const globals = new Map<string, string | undefined>([...platform, ...global.snapshot()]);
  const fromVars = new Map([...platform, ...global.values()]);

  const byName = new Map(df.stages.filter((s) => s.name).map((s) => [s.name!, s.index]));
  const targetIndex = input.target === undefined ? df.stages.length - 1 : byName.get(input.target.toLowerCase());
  if (targetIndex === undefined) {
    const names = [...byName.keys()];
    throw new BuildPlanError(
      df.stages[0] ?? { line: 1, col: 1 },
      `target stage ${input.target} is not in the Dockerfile${names.length ? `; its stages: ${names.join(', ')}` : ''}`,
    );
  }

  // Every mistake is collected and planning goes on past it, so all are reported at once.
  const problems: BuildPlanError[] = [];
  const collect = <T>(fn: () => T, fallback: T): T => {
    try {
      return fn();
    } catch (e) {
      if (!(e instanceof BuildPlanError)) throw e;
      problems.push(e);
      return fallback;
    }
  };
  const planned = new Map<number, BuildStage>();
  const plan = (index: number): BuildStage => {
    const done = planned.get(index);
    if (done) return done;
    const stage = df.stages[index];
    const base = collect<StageRef>(
      () => stageRef(expand(stage.base, fromVars, df.escape, stage), index, byName, stage),
      { kind: 'scratch' },
    );
    if (stage.platform !== undefined)
      collect(() => {
        const asked = expand(stage.platform!, fromVars, df.escape, stage);
        if (asked !== platformString(input.platform) && asked !== `${input.platform.os}/${input.platform.architecture}`)
          throw new BuildPlanError(
            stage,
            `FROM --platform=${asked}: stack builds for this host's platform only (${platformString(input.platform)}); drop --platform or use $BUILDPLATFORM`,
          );
      }, undefined);
    const parent =
      base.kind === 'stage'
        ? plan(base.index).config
        : base.kind === 'image'
          ? input.imageConfig(base.ref)
          : scratchConfig();
    const scope = new ArgScope(input.buildArgs, globals, consumed);
    // An image's ONBUILD triggers run first in a stage built FROM it, and are not inherited.
    const config = structuredClone(parent);
    const triggers =
      base.kind === 'image' ? collect(() => onBuildInstructions(config.onBuild ?? [], stage, df.escape), []) : [];
    delete config.onBuild;
    const withTriggers = { ...stage, instructions: [...triggers, ...stage.instructions] };
    const result = planStage(
      withTriggers,
      base,
      config,
      scope,
      df.escape,
      (ref, at) => {
        const r = stageRef(ref, index, byName, at);
        if (r.kind === 'stage') plan(r.index);
        return r;
      },
      collect,
    );
    planned.set(index, result);
    return result;
  };
  plan(targetIndex);
  if (problems.length > 0) throw BuildPlanError.all(problems);
  return {
    stages: [...planned.values()].sort((a, b) => a.index - b.index),
    unusedBuildArgs: [...input.buildArgs.keys()].filter((k) => !consumed.has(k)).sort(),
  };
}

/** FROM scratch starts with the default PATH in its environment, as in BuildKit. */
function scratchConfig(): ImageConfig {
  return { ...emptyConfig(), env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] };
}

/** A base image's ONBUILD trigger texts as instructions, placed at the FROM that brings them. */
function onBuildInstructions(texts: string[], stage: Stage, escape: string): Instruction[] {
  return texts.flatMap((text) => {
    const parsed = parseDockerfile('ONBUILD', `# escape=${escape}\nFROM scratch\n${text}\n`);
    const problem = parsed.diagnostics[0];
    if (problem) throw new BuildPlanError(stage, `the base image's ONBUILD ${text}: ${problem.message}`);
    return (parsed.stages[0]?.instructions ?? []).map((ins) => ({ ...ins, line: stage.line, col: stage.col }));
  });
}

/** `--from=` / FROM value → an earlier stage (by name or number), scratch, or an image. */
function stageRef(value: string, current: number, byName: Map<string, number>, at: SourcePos): StageRef {
  const named = byName.get(value.toLowerCase());
  if (named !== undefined) {
    if (named >= current)
      throw new BuildPlanError(at, `stage ${value} is used before it is defined; a stage can only use earlier stages`);
    return { kind: 'stage', index: named };
  }
  if (/^\d+$/.test(value)) {
    if (Number(value) >= current)
      throw new BuildPlanError(at, `stage ${value} is used before it is defined; a stage can only use earlier stages`);
    return { kind: 'stage', index: Number(value) };
  }
  return value.toLowerCase() === 'scratch' ? { kind: 'scratch' } : { kind: 'image', ref: value };
}

function planStage(
  stage: Stage,
  base: StageRef,
  config: ImageConfig,
  scope: ArgScope,
  escape: string,
  ref: (value: string, at: SourcePos) => StageRef,
  collect: (fn: () => void, fallback: undefined) => void,
): BuildStage {
  const steps: BuildStep[] = [];
  const visible = (): Map<string, string> => new Map([...scope.values(), ...envMap(config.env)]);
  const x = (word: string, at: SourcePos): string => expand(word, visible(), escape, at);
  // A mistake leaves its instruction out; the ones after it are still planned (and checked).
  for (const ins of stage.instructions) collect(() => planInstruction(ins), undefined);
  return { index: stage.index, name: stage.name, base, steps, config };

  function planInstruction(ins: Instruction): void {
    const at = { line: ins.line, col: ins.col };
    switch (ins.kind) {
      case 'ARG':
        for (const a of ins.args) scope.declare(a.name, a.default, visible(), escape);
        break;
      case 'ENV': {
        // Every value of one ENV sees the environment from before it (`ENV a=1 b=$a` uses the old a).
        const before = visible();
        for (const p of ins.pairs)
          config.env = setEnv(config.env, expand(p.key, before, escape, at), expand(p.value, before, escape, at));
        break;
      }
      case 'LABEL':
        for (const p of ins.pairs) config.labels[x(p.key, at)] = x(p.value, at);
        break;
      case 'MAINTAINER':
        config.author = ins.name;
        break;
      case 'WORKDIR':
        config.workingDir = path.resolve(config.workingDir || '/', x(ins.path, at));
        steps.push({ kind: 'workdir', ...at, path: config.workingDir });
        break;
      case 'USER':
        config.user = x(ins.user, at);
        break;
      case 'EXPOSE':
        for (const p of ins.ports) config.exposedPorts[portKey(x(p, at), at)] = {};
        break;
      case 'VOLUME':
        for (const p of ins.paths) config.volumes[x(p, at)] = {};
        break;
      case 'STOPSIGNAL':
        config.stopSignal = x(ins.signal, at);
        break;
      case 'SHELL':
        config.shell = ins.shell;
        break;
      case 'CMD':
        config.cmd = argv(ins.command, config);
        break;
      case 'ENTRYPOINT':
        config.entrypoint = argv(ins.command, config);
        // docker: an ENTRYPOINT drops a CMD that came from the base image.
        if (!stage.instructions.slice(0, stage.instructions.indexOf(ins)).some((i) => i.kind === 'CMD'))
          config.cmd = undefined;
        break;
      case 'HEALTHCHECK':
        config.healthcheck = ins.none
          ? { test: ['NONE'] }
          : {
              test:
                ins.command && 'exec' in ins.command
                  ? ['CMD', ...ins.command.exec]
                  : ['CMD-SHELL', (ins.command as { shell: string }).shell],
              interval: nanos(ins.interval, at),
              timeout: nanos(ins.timeout, at),
              startPeriod: nanos(ins.startPeriod, at),
              startInterval: nanos(ins.startInterval, at),
              retries: ins.retries === undefined ? undefined : Number(ins.retries),
            };
        break;
      case 'ONBUILD':
        config.onBuild = [...(config.onBuild ?? []), ins.text];
        break;
      case 'RUN': {
        const args = scope.values();
        steps.push({
          kind: 'run',
          ...at,
          argv: argv(ins.command, config),
          // The shell expands a RUN heredoc's body when it runs, as in BuildKit: kept as written.
          heredocs: ins.heredocs.map((h) => ({ name: h.name, body: h.body })),
          env: [...config.env, ...[...args].filter(([k]) => !envMap(config.env).has(k)).map(([k, v]) => `${k}=${v}`)],
          user: config.user ?? '',
          workdir: config.workingDir || '/',
          network: ins.network ?? 'default',
          mounts: ins.mounts.map((m) => runMount(m, x, at, ref)),
        });
        break;
      }
      case 'COPY':
      case 'ADD': {
        const from = ins.kind === 'COPY' && ins.from !== undefined ? ref(x(ins.from, at), at) : undefined;
        const dest = x(ins.dest, at);
        steps.push({
          kind: 'copy',
          ...at,
          add: ins.kind === 'ADD',
          from: from ?? { kind: 'context' },
          sources: ins.sources.map((s) =>
            ins.heredocs.some((h) => s.includes(`<<${h.name}`) || s.includes(`<<-${h.name}`)) ? s : x(s, at),
          ),
          heredocs: heredocs(ins.heredocs, visible(), escape),
          dest: destination(config.workingDir || '/', dest),
          chown: ins.chown && x(ins.chown, at),
          chmod: ins.chmod && x(ins.chmod, at),
          link: ins.link,
          exclude: ins.exclude.map((e) => x(e, at)),
          checksum: ins.checksum,
          keepGitDir: ins.keepGitDir,
        });
        break;
      }
      case 'FROM':
        break; // never inside a stage: dockerfile-parse.ts starts a new stage at each FROM
    }
  }
}

/** Absolute; a trailing `/` (or a bare `.`, as in BuildKit) says the destination is a folder. */
function destination(workdir: string, dest: string): string {
  const abs = path.resolve(workdir, dest);
  return abs !== '/' && (dest.endsWith('/') || dest === '.') ? `${abs}/` : abs;
}

function expand(word: string, vars: ReadonlyMap<string, string>, escape: string, at: SourcePos): string {
  try {
    return expandWord(word, vars, escape);
  } catch (e) {
    if (e instanceof ExpandError) throw new BuildPlanError(at, e.message);
    throw e;
  }
}

function argv(command: CommandForm, config: ImageConfig): string[] {
  return 'exec' in command ? command.exec : [...(config.shell ?? ['/bin/sh', '-c']), command.shell];
}

function heredocs(
  list: Heredoc[],
  vars: ReadonlyMap<string, string>,
  escape: string,
): { name: string; body: string }[] {
  // Only unquoted terminators expand (`<<EOF`, not `<<'EOF'`); quotes in the body stay.
  return list.map((h) => ({ name: h.name, body: h.expand ? expandHeredoc(h.body, vars, escape) : h.body }));
}

function runMount(
  m: RunMount,
  x: (w: string, at: SourcePos) => string,
  at: SourcePos,
  ref: (v: string, at: SourcePos) => StageRef,
) {
  const options = Object.fromEntries(Object.entries(m.options).map(([k, v]) => [k, x(v, at)]));
  return { type: m.type, options, from: options.from === undefined ? undefined : ref(options.from, at) };
}

function envMap(env: string[]): Map<string, string> {
  return new Map(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]));
}

function setEnv(env: string[], key: string, value: string): string[] {
  const i = env.findIndex((e) => e.startsWith(`${key}=`));
  return i < 0 ? [...env, `${key}=${value}`] : env.map((e, k) => (k === i ? `${key}=${value}` : e));
}

/** `80`, `80/udp`, `8000-8010/tcp` → the config's `port/proto` keys. */
function portKey(p: string, at: SourcePos): string {
  const m = /^(\d{1,5}(?:-\d{1,5})?)(?:\/(tcp|udp|sctp))?$/i.exec(p);
  if (!m) throw new BuildPlanError(at, `EXPOSE ${p}: expected PORT[/PROTOCOL], e.g. 80 or 53/udp`);
  return `${m[1]}/${(m[2] ?? 'tcp').toLowerCase()}`;
}

/** Go durations with a unit (HEALTHCHECK options), in nanoseconds as the image config keeps them. */
function nanos(v: string | undefined, at: SourcePos): number | undefined {
  if (v === undefined) return undefined;
  const seconds = /[a-zµ]$/.test(v) ? parseDuration(v) : undefined;
  if (seconds === undefined)
    throw new BuildPlanError(at, `HEALTHCHECK duration ${v}: expected a number with a unit, e.g. 30s or 1m30s`);
  return Math.round(seconds * 1e9);
}
