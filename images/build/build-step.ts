// Carrying out one step that the cache did not have. COPY, ADD and WORKDIR write straight
// into a fresh upper folder (no container: they only place files); RUN runs in a container
// over the stage's layers and its upper folder is taken after the exit, with the mount
// points the runtime made for it removed. Either way the folder is then committed as a layer.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../../store/paths.js';
import { BuildStepError, dockerfileDiagnostic } from './build-errors.js';
import type { BuildStep, CopyStep, RunStep } from './build-plan.js';
import type { RunStepMount } from './build-request.js';
import type { StageEnv } from './build-stage.js';
import { isHeredocSource, isUrl, stepNetwork } from './build-stage.js';
import { BuildContextError, matchSource, type BuildContext, type ReadFiles } from './build-context.js';
import { commitLayer } from './commit-layer.js';
import { copyFromLayers } from './copy-from-layers.js';
import { copyFromContext, makeWorkdir } from './copy-step.js';
import { ignoredBy, parseDockerignore } from './dockerignore.js';
import type { ImageLayer } from './image-write.js';
import { removeMountStubs } from './mount-stubs.js';
import { resolveOwner } from './resolve-owner.js';
import { runCommand, runMounts } from './run-step-input.js';
import { addLocalArchive, isArchive } from './add-archive.js';
import { traceMark } from '../../store/trace-marks.js';

export type StepEnv = StageEnv & {
  index: number;
  title: string;
  /** The context files the step's cache key was made from, as read for it (build-context.ts). */
  read?: ReadFiles;
};

const TAIL_LINES = 20;

/** Layer folders for lookups, topmost first. */
function layerDirs(layers: ImageLayer[]): string[] {
  return layers.map((l) => paths.layerDir(l.digest)).reverse();
}

export async function executeStep(
  step: BuildStep,
  layers: ImageLayer[],
  env: StepEnv,
): Promise<ImageLayer | undefined> {
  if (step.kind === 'run') return runStep(step, layers, env);
  // Synchronous: two metadata calls, cheaper than their trips through the thread pool.
  const upper = fs.mkdtempSync(path.join(env.tmpDir, 'upper-'));
  fs.chmodSync(upper, 0o755);
  if (step.kind === 'workdir') await makeWorkdir(upper, layerDirs(layers), step.path);
  else await copyStep(step, upper, layers, env);
  return commitLayer(upper);
}

async function copyStep(step: CopyStep, upper: string, layers: ImageLayer[], env: StepEnv): Promise<void> {
  const dirs = layerDirs(layers);
  const into = {
    upper,
    layers: dirs,
    dest: step.dest,
    ...(env.read ? { read: env.read } : {}),
    ...(step.chown ? { owner: resolveOwner(step.chown, [upper, ...dirs]) } : {}),
    ...(step.chmod ? { mode: chmodValue(step.chmod) } : {}),
  };
  const folder = step.from.kind === 'image' ? env.folders.get(step.from.ref) : undefined;
  if (folder) {
    const matched = (await Promise.all(step.sources.map((s) => matchSource(folder, s)))).flat();
    await copyFromContext(folder, matched, into);
    return;
  }
  if (step.from.kind === 'stage' || step.from.kind === 'image') {
    const from = step.from.kind === 'stage' ? env.stages.get(step.from.index)!.layers : imageLayers(env, step.from.ref);
    const what = step.from.kind === 'stage' ? `stage ${step.from.index}` : `image ${step.from.ref}`;
    await copyFromLayers(layerDirs(from), step.sources, into, what);
    return;
  }
  if (step.from.kind === 'scratch') throw new BuildContextError('--from=scratch has no files to copy');
  const heredocs = step.sources.filter((s) => isHeredocSource(s, step));
  if (heredocs.length > 0) {
    // COPY <<EOF /dest: each body becomes a file named after its terminator, as in BuildKit.
    const dir = await fsp.mkdtemp(path.join(env.tmpDir, 'heredoc-'));
    for (const h of step.heredocs) await fsp.writeFile(path.join(dir, h.name), h.body, { mode: 0o644 });
    await copyFromContext(
      { dir, ignore: [] },
      heredocs.map((s) => s.replace(/^<<-?/, '')),
      into,
    );
  }
  for (const url of step.sources.filter(isUrl)) {
    const f = env.fetched.get(url)!;
    await copyFromContext({ dir: f.dir, ignore: [] }, [f.name], { ...into, mode: into.mode ?? 0o600 });
  }
  const files = step.sources.filter((s) => !isHeredocSource(s, step) && !isUrl(s));
  if (files.length === 0) return;
  const found = (await Promise.all(files.map((s) => matchSource(env.ctx, s)))).flat();
  const ctx = await withExcludes(env.ctx, found, step.exclude);
  const matched = found.filter((p) => ignoredBy(ctx.ignore, p) === undefined);
  if (step.add) {
    // ADD unpacks a local tar archive (plain, gzip, bzip2, xz) into the destination folder.
    const archives: string[] = [];
    for (const m of matched) if (await isArchive(path.join(env.ctx.dir, m))) archives.push(m);
    for (const a of archives) await addLocalArchive(path.join(env.ctx.dir, a), into);
    const rest = matched.filter((m) => !archives.includes(m));
    if (rest.length > 0) await copyFromContext(ctx, rest, into);
    return;
  }
  await copyFromContext(ctx, matched, into);
}

/**
 * --exclude patterns leave files out as .dockerignore lines would, for this step only; as in
 * BuildKit they are relative to each source (a folder's contents, a file's folder).
 */
async function withExcludes(ctx: BuildContext, sources: string[], excludes: string[]): Promise<BuildContext> {
  if (excludes.length === 0) return ctx;
  const lines: string[] = [];
  for (const p of sources) {
    const isDir = (await fsp.lstat(path.join(ctx.dir, p))).isDirectory();
    const base = isDir ? p : path.posix.dirname(p);
    for (const e of excludes) lines.push(base && base !== '.' ? `${base}/${e}` : e);
  }
  return { ...ctx, ignore: [...ctx.ignore, ...parseDockerignore(lines.join('\n'))] };
}

/** The layers of an image COPY --from or RUN --mount=from names (digests only: they are read, not written). */
function imageLayers(env: StepEnv, ref: string): ImageLayer[] {
  return env.images.get(ref)!.layers.map((digest) => ({ digest, diffId: digest }));
}

function chmodValue(v: string): number {
  if (!/^[0-7]{3,4}$/.test(v)) throw new BuildContextError(`--chmod=${v}: expected an octal mode such as 0644`);
  return parseInt(v, 8);
}

async function runStep(step: RunStep, layers: ImageLayer[], env: StepEnv): Promise<ImageLayer | undefined> {
  const shell = ['/bin/sh', '-c'];
  const command = runCommand(step, shell);
  const mounts: RunStepMount[] = await runMounts(
    step,
    env.req,
    async (from, source) => sourceCopy(env, from, source),
    env.file,
    env.tmpDir,
  );
  if (command.script) {
    const dir = await fsp.mkdtemp(path.join(env.tmpDir, 'pipes-'));
    await fsp.writeFile(path.join(dir, command.script.name), command.script.body, { mode: 0o755 });
    mounts.push({ type: 'bind', source: dir, target: '/dev/pipes', readOnly: true });
  }
  const tail: string[] = [''];
  const result = await env.deps.runner.run(
    {
      buildId: env.buildId,
      step: env.index,
      layers: layers.map((l) => l.digest),
      argv: command.argv,
      env: step.env,
      user: step.user,
      workdir: step.workdir,
      network: stepNetwork(step, env.req),
      extraHosts: env.req.extraHosts,
      ...(env.req.shmSizeBytes !== undefined ? { shmSizeBytes: env.req.shmSizeBytes } : {}),
      mounts,
    },
    (chunk) => {
      env.deps.events.stepOutput(chunk);
      const lines = chunk.toString('utf8').split('\n');
      tail[tail.length - 1] += lines[0];
      tail.push(...lines.slice(1));
      if (tail.length > TAIL_LINES + 1) tail.splice(0, tail.length - TAIL_LINES - 1);
    },
  );
  traceMark(`build: step ${env.index} exited`);
  let released = false;
  try {
    if (result.exitCode !== 0) {
      const lines = tail.filter((l, i) => l !== '' || i < tail.length - 1).slice(-TAIL_LINES);
      throw new BuildStepError(
        dockerfileDiagnostic(env.file, env.text, step, env.title),
        env.title,
        result.exitCode,
        lines,
      );
    }
    // The upper folder is moved out of the container's first, and the exited container is
    // removed while the build goes on and its layer is packed: the removal waits on the
    // kernel (its veth's deletion) for 2–20 ms, on the build's path when it came after.
    const upper = path.join(env.tmpDir, `run-${env.index}`);
    fs.renameSync(result.upper, upper);
    env.pending.start(result.release);
    released = true;
    await removeMountStubs(
      upper,
      layerDirs(layers),
      mounts.map((m) => m.target),
    );
    return await commitLayer(upper);
  } finally {
    if (!released) env.pending.start(result.release);
  }
}

/** A RUN --mount=type=bind,from=… source: the folder copied out of that stage's or image's layers (writes are thrown away). */
async function sourceCopy(env: StepEnv, from: RunStep['mounts'][number]['from'], source: string): Promise<string> {
  const dir = await fsp.mkdtemp(path.join(env.tmpDir, 'bind-'));
  await fsp.chmod(dir, 0o755);
  const into = { upper: dir, layers: [], dest: '/' };
  if (from === undefined) {
    const matched = await matchSource(env.ctx, source || '.');
    await copyFromContext(env.ctx, matched, into);
  } else if (from.kind === 'stage') {
    await copyFromLayers(layerDirs(env.stages.get(from.index)!.layers), [source || '/'], into, `stage ${from.index}`);
  } else if (from.kind === 'image' && env.folders.has(from.ref)) {
    const folder = env.folders.get(from.ref)!;
    await copyFromContext(folder, await matchSource(folder, source || '.'), into);
  } else if (from.kind === 'image') {
    await copyFromLayers(layerDirs(imageLayers(env, from.ref)), [source || '/'], into, `image ${from.ref}`);
  }
  return dir;
}
