// The build context as COPY and ADD see it: the files under the context folder that
// .dockerignore leaves in, the sources a COPY names (wildcards as in docker, never outside
// the context), and a checksum of what they hold, which keys the build cache: the same
// names, modes, link targets and bytes give the same checksum, so the step is reused.

import { createHash } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import {
  cleanPath,
  ignoredBy,
  mayReincludeBelow,
  parseDockerignore,
  patternRegex,
  type IgnorePattern,
} from './dockerignore.js';

export class BuildContextError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BuildContextError';
  }
}

export interface BuildContext {
  dir: string;
  ignore: IgnorePattern[];
  /** Which .dockerignore was read, for messages. */
  ignoreFile?: string;
}

/**
 * `<Dockerfile>.dockerignore` beside the Dockerfile wins over the context's `.dockerignore`,
 * as in BuildKit. Synchronous calls, as below: a stat and two small reads. An ignore file
 * that is there but cannot be read stops the build, as in BuildKit: taken as absent, what it
 * keeps out (a `.env`, a key) would go into the image without a word.
 */
export async function openContext(dir: string, dockerfile: string): Promise<BuildContext> {
  let st: fs.Stats | undefined;
  try {
    st = fs.statSync(dir);
  } catch {
    // absent or unreachable: said below
  }
  if (!st?.isDirectory()) throw new BuildContextError(`build context ${dir} is not a folder`);
  for (const file of [`${dockerfile}.dockerignore`, path.join(dir, '.dockerignore')]) {
    const text = readIfThere(file);
    if (text !== undefined) return { dir, ignore: parseDockerignore(text), ignoreFile: file };
  }
  return { dir, ignore: [] };
}

/** `file`'s text; undefined when it is absent (a dangling link too); any other failure a BuildContextError. */
function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new BuildContextError(
      `cannot read ${file} (${code ?? (err as Error).message}): make it a readable file, or remove it`,
    );
  }
}

/** The context paths (relative, `/`-separated) a COPY source names; a folder stands for its contents. */
export async function matchSource(ctx: BuildContext, source: string): Promise<string[]> {
  const normalized = path.posix.normalize(source.replace(/^\/+/, ''));
  if (normalized === '..' || normalized.startsWith('../'))
    throw new BuildContextError(`${source} is outside the build context`);
  const clean = cleanPath(source);
  if (clean === '') return [''];
  const segments = clean.split('/');
  let found = [''];
  for (const segment of segments) {
    const next: string[] = [];
    const literal = !/[*?[\\]/.test(segment);
    for (const base of found) {
      if (literal) {
        const p = base ? `${base}/${segment}` : segment;
        if (fs.existsSync(path.join(ctx.dir, p)) || (await isSymlink(path.join(ctx.dir, p)))) next.push(p);
        continue;
      }
      const re = patternRegex(segment);
      const names = await fsp.readdir(path.join(ctx.dir, base)).catch(() => [] as string[]);
      for (const n of names.sort()) if (re.test(n)) next.push(base ? `${base}/${n}` : n);
    }
    found = next;
  }
  const kept = found.filter((p) => !ignoredBy(ctx.ignore, p));
  if (kept.length === 0) {
    const ignored = found.length > 0 ? ignoredBy(ctx.ignore, found[0]) : undefined;
    throw new BuildContextError(
      ignored
        ? `${source} is excluded by ${ctx.ignoreFile} line ${ignored.line}: ${ignored.text}`
        : `${source} is not in the build context ${ctx.dir}`,
    );
  }
  return kept;
}

/**
 * Every file, folder and link under `rel` that .dockerignore leaves in, sorted, `rel` first.
 * Synchronous calls, as for the files' checksum below: one call through the thread pool per
 * entry cost a rebuild more than the calls themselves.
 */
export async function walkContext(ctx: BuildContext, rel: string): Promise<string[]> {
  const out: string[] = [];
  const visit = (p: string): void => {
    const ignored = p !== '' && ignoredBy(ctx.ignore, p) !== undefined;
    if (!ignored) out.push(p);
    const st = fs.lstatSync(path.join(ctx.dir, p));
    if (!st.isDirectory() || (ignored && !mayReincludeBelow(ctx.ignore, p))) return;
    for (const n of fs.readdirSync(path.join(ctx.dir, p)).sort()) visit(p ? `${p}/${n}` : n);
  };
  visit(rel);
  return out;
}

const SMALL_FILE = 1 << 20;

/** A small file as the checksum read it: its bytes and its lstat then. */
export interface ReadFile {
  bytes: Buffer;
  stat: fs.Stats;
}

/**
 * Small files the checksum read, by full path, for the COPY that follows (copy-step.ts): it
 * writes these bytes rather than reading the file again, so the layer holds what its cache
 * key was made from even when the file is edited meanwhile, and a COPY of small files makes
 * no second open, stat and read of each. Up to READ_FILES_LIMIT bytes are kept.
 */
export type ReadFiles = Map<string, ReadFile>;

const READ_FILES_LIMIT = 16 * 1024 * 1024;

/** sha256 over the names, types, modes, link targets and contents of what a step copies. */
export async function contextChecksum(ctx: BuildContext, paths: string[], keep?: ReadFiles): Promise<string> {
  const hash = createHash('sha256');
  let kept = 0;
  for (const top of paths) {
    for (const p of await walkContext(ctx, top)) {
      const full = path.join(ctx.dir, p);
      const st = fs.lstatSync(full);
      hash.update(`${p}\0${st.mode.toString(8)}\0`);
      if (st.isSymbolicLink()) hash.update(`link:${fs.readlinkSync(full)}\0`);
      else if (st.isFile()) {
        // Small files in one read (a stream's setup costs more than the read); big ones streamed.
        if (st.size <= SMALL_FILE) {
          const bytes = fs.readFileSync(full);
          hash.update(bytes);
          if (keep && kept + bytes.length <= READ_FILES_LIMIT) {
            keep.set(full, { bytes, stat: st });
            kept += bytes.length;
          }
        } else for await (const chunk of fs.createReadStream(full)) hash.update(chunk as Buffer);
        hash.update('\0');
      }
    }
  }
  return `sha256:${hash.digest('hex')}`;
}

async function isSymlink(p: string): Promise<boolean> {
  return (await fsp.lstat(p).catch(() => undefined))?.isSymbolicLink() ?? false;
}
