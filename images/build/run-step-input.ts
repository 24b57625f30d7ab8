// A planned RUN step → what the step runner needs: the command as BuildKit forms it from
// heredocs, and each `--mount` resolved to a host path. Cache mounts are folders kept under
// the image store by id (shared by every build on the host), bind mounts read the context
// or another stage (copied out of its layers, read-only unless `rw`, whose writes are thrown
// away), secrets are the host files the build request names.

import { createHash } from 'node:crypto';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { paths } from '../../store/paths.js';
import { BuildPlanError, type RunStep } from './build-plan.js';
import type { BuildRequest, RunStepMount } from './build-request.js';

/** The folder a RUN --mount=type=bind reads, copied out by the engine: another stage's or image's, or the context's when `rw`. */
export type MountSourceDir = (from: RunStep['mounts'][number]['from'], source: string) => Promise<string>;

export interface RunCommand {
  argv: string[];
  /** A script file the command runs (a heredoc with a shebang), mounted at /dev/pipes/NAME. */
  script?: { name: string; body: string };
}

/** BuildKit's rules: a lone heredoc runs as a script (by its shebang, else by the shell); otherwise the shell gets the whole text. */
export function runCommand(step: RunStep, shell: string[]): RunCommand {
  if (step.heredocs.length === 0) return { argv: step.argv };
  const text = step.argv[step.argv.length - 1] ?? '';
  const first = step.heredocs[0]!;
  if (/^<<-?(["']?)([A-Za-z0-9_]+)\1$/.test(text.trim()) && step.heredocs.length === 1) {
    if (first.body.startsWith('#!')) return { argv: [`/dev/pipes/${first.name}`], script: first };
    return { argv: [...shell, first.body] };
  }
  const full = step.heredocs.reduce((acc, h) => `${acc}\n${h.body}${h.name}`, text);
  return { argv: [...step.argv.slice(0, -1), full] };
}

export async function runMounts(
  step: RunStep,
  req: BuildRequest,
  sourceDir: MountSourceDir,
  file: string,
  /** The build's private scratch folder (secret copies go there). */
  scratch: string,
): Promise<RunStepMount[]> {
  const out: RunStepMount[] = [];
  for (const m of step.mounts) {
    const o = m.options;
    const fail = (message: string): never => {
      throw new BuildPlanError(step, `${path.basename(file)}: RUN --mount=type=${m.type}: ${message}`);
    };
    const target = o.target ?? o.dst ?? o.destination;
    switch (m.type) {
      case 'cache': {
        if (!target) fail('needs target=PATH');
        const dir = path.join(
          paths.imagesDir(),
          'cache-mounts',
          createHash('sha256')
            .update(o.id ?? target!)
            .digest('hex'),
        );
        await fsp.mkdir(dir, { recursive: true, mode: o.mode ? parseInt(o.mode, 8) : 0o755 });
        if (o.uid || o.gid) await fsp.chown(dir, Number(o.uid ?? 0), Number(o.gid ?? 0));
        out.push({ type: 'bind', source: dir, target: target!, readOnly: isTrue(o.ro ?? o.readonly) });
        break;
      }
      case 'tmpfs':
        if (!target) fail('needs target=PATH');
        out.push({ type: 'tmpfs', source: '', target: target!, readOnly: false });
        break;
      case 'secret': {
        const id = o.id ?? (target ? path.posix.basename(target) : undefined);
        if (!id) fail('needs id=NAME or target=PATH');
        const secret = req.secrets.find((s) => s.id === id);
        if (!secret) {
          if (isTrue(o.required)) fail(`secret ${id} is not given to the build; add it to build.secrets`);
          break; // docker: an optional secret that is not given is simply not mounted
        }
        // A copy with the mode and owner the mount asks for, else those of build.secrets,
        // else BuildKit's default: 0400, root.
        const copy = path.join(await fsp.mkdtemp(path.join(scratch, 'secret-')), 'secret');
        await fsp.copyFile(secret.file, copy);
        await fsp.chmod(copy, o.mode ? parseInt(o.mode, 8) : (secret.mode ?? 0o400));
        await fsp.chown(copy, Number(o.uid ?? secret.uid ?? 0), Number(o.gid ?? secret.gid ?? 0));
        out.push({ type: 'file', source: copy, target: target ?? `/run/secrets/${id}`, readOnly: true });
        break;
      }
      case 'bind': {
        if (!target) fail('needs target=PATH');
        const source = (o.source ?? o.src ?? '').replace(/^\/+/, '');
        const rw = isTrue(o.rw ?? o.readwrite);
        let dir: string;
        if (m.from === undefined && !rw) {
          dir = path.join(req.context, source);
          if (path.relative(req.context, dir).startsWith('..')) fail(`source ${source} is outside the build context`);
        } else dir = await sourceDir(m.from, source);
        out.push({ type: 'bind', source: dir, target: target!, readOnly: !rw });
        break;
      }
      default:
        fail(`type ${m.type} is not supported by stack (bind, cache, tmpfs and secret are)`);
    }
  }
  return out;
}

function isTrue(v: string | undefined): boolean {
  return v !== undefined && v !== 'false' && v !== '0';
}
