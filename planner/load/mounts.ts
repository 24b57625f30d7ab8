// Service `volumes:`, `tmpfs:`, `secrets:` and `configs:` entries → VolumeMount and
// FileGrant. Short volume syntax is `[SOURCE:]TARGET[:OPTIONS]`; a source starting with
// `.`, `/` or `~` is a bind mount (relative to the project folder), anything else names a
// volume. Pure: paths are joined with path.posix, nothing touches the filesystem.

import { posix } from 'node:path';
import { parseMode, parseSize, toBool } from './coerce.js';
import type { FileGrant, VolumeMount } from '../../model/types.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;

export const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
/** Docker Desktop's consistency flags: accepted and meaningless on Linux, as with docker. */
const CONSISTENCY = ['cached', 'delegated', 'consistent'];
const SHORT_OPTIONS = ['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS, ...CONSISTENCY];

export function isHostPath(source: string): boolean {
  return source.startsWith('.') || source.startsWith('/') || source.startsWith('~');
}

/** A host path as written → absolute: `~` is $HOME, a relative path is under the project folder. */
export function resolveHostPath(p: string, projectDir: string, env: Env): string {
  if (p === '~' || p.startsWith('~/')) return posix.join(env.HOME ?? '/root', p.slice(1));
  return posix.resolve(projectDir, p);
}

export type MountResult = { ok: true; mount: VolumeMount } | { ok: false; why: string };

export function parseShortVolume(spec: string, projectDir: string, env: Env): MountResult {
  const parts = spec.split(':');
  if (parts.length > 3) return { ok: false, why: 'expected [SOURCE:]TARGET[:OPTIONS]' };
  if (parts.length === 1) return { ok: true, mount: { type: 'volume', target: parts[0]!, readOnly: false } };
  const [source = '', target = '', options = ''] = parts;
  if (source === '') return { ok: false, why: 'the source before ":" is empty' };
  const opts = options === '' ? [] : options.split(',');
  const unknown = opts.find((o) => !SHORT_OPTIONS.includes(o));
  if (unknown !== undefined)
    return {
      ok: false,
      why: `unknown option "${unknown}" (use ro, rw, z, Z, nocopy or a propagation such as rshared)`,
    };
  const readOnly = opts.includes('ro');
  if (isHostPath(source)) {
    const mount: VolumeMount = {
      type: 'bind',
      source: resolveHostPath(source, projectDir, env),
      target,
      readOnly,
      createHostPath: true,
    };
    const propagation = opts.find((o) => PROPAGATIONS.includes(o));
    if (propagation) mount.propagation = propagation;
    return { ok: true, mount };
  }
  const mount: VolumeMount = { type: 'volume', source, target, readOnly };
  if (opts.includes('nocopy')) mount.noCopy = true;
  return { ok: true, mount };
}

function longVolume(v: Obj, projectDir: string, env: Env): VolumeMount {
  const type = v.type as VolumeMount['type'];
  const mount: VolumeMount = { type, target: String(v.target), readOnly: toBool(v.read_only) ?? false };
  const source = typeof v.source === 'string' && v.source !== '' ? v.source : undefined;
  const bind = (v.bind ?? {}) as Obj;
  const volume = (v.volume ?? {}) as Obj;
  const tmpfs = (v.tmpfs ?? {}) as Obj;
  const image = (v.image ?? {}) as Obj;
  if (type === 'image') {
    // An image's files are never written through a mount, as with docker.
    mount.readOnly = true;
    if (source !== undefined) mount.source = source;
    if (typeof image.subpath === 'string' && image.subpath !== '') mount.subpath = image.subpath;
  } else if (type === 'bind') {
    if (source !== undefined) mount.source = resolveHostPath(source, projectDir, env);
    mount.createHostPath = toBool(bind.create_host_path) ?? true;
    if (typeof bind.propagation === 'string') mount.propagation = bind.propagation;
  } else if (type === 'volume') {
    if (source !== undefined) mount.source = source;
    if (toBool(volume.nocopy)) mount.noCopy = true;
    if (typeof volume.subpath === 'string' && volume.subpath !== '') mount.subpath = volume.subpath;
  } else {
    const size = parseSize(tmpfs.size);
    const mode = parseMode(tmpfs.mode);
    if (size !== undefined) mount.tmpfsSize = size;
    if (mode !== undefined) mount.tmpfsMode = mode;
  }
  return mount;
}

export function parseVolume(entry: unknown, projectDir: string, env: Env): MountResult {
  if (typeof entry === 'string') return parseShortVolume(entry, projectDir, env);
  if (entry === null || typeof entry !== 'object') return { ok: false, why: 'expected a string or a mapping' };
  return { ok: true, mount: longVolume(entry as Obj, projectDir, env) };
}

/** A service `tmpfs:` entry, `PATH[:size=64m,mode=1777]`. */
export function parseTmpfs(entry: string): MountResult {
  const colon = entry.indexOf(':');
  const target = colon < 0 ? entry : entry.slice(0, colon);
  const mount: VolumeMount = { type: 'tmpfs', target, readOnly: false };
  for (const opt of colon < 0 ? [] : entry.slice(colon + 1).split(',')) {
    const [key, value = ''] = opt.split('=');
    if (key === 'size') {
      const size = parseSize(value);
      if (size === undefined) return { ok: false, why: `invalid tmpfs size "${value}"` };
      mount.tmpfsSize = size;
    } else if (key === 'mode') {
      const mode = parseMode(value);
      if (mode === undefined) return { ok: false, why: `invalid tmpfs mode "${value}"` };
      mount.tmpfsMode = mode;
    } else if (key === 'ro') {
      mount.readOnly = true;
    } else if (!['rw', 'exec', 'noexec', 'suid', 'nosuid', 'dev', 'nodev'].includes(key!)) {
      return { ok: false, why: `unknown tmpfs option "${opt}"` };
    }
  }
  return { ok: true, mount };
}

/** A service `secrets:`/`configs:` entry; secrets land in /run/secrets/, configs at /<name>. */
export function fileGrant(entry: unknown, kind: 'secrets' | 'configs'): FileGrant {
  const e: Obj = typeof entry === 'string' ? { source: entry } : ((entry ?? {}) as Obj);
  const source = String(e.source);
  const dir = kind === 'secrets' ? '/run/secrets' : '/';
  const target = typeof e.target === 'string' && e.target !== '' ? e.target : source;
  const grant: FileGrant = { source, target: posix.isAbsolute(target) ? target : posix.join(dir, target) };
  if (e.uid !== undefined) grant.uid = String(e.uid);
  if (e.gid !== undefined) grant.gid = String(e.gid);
  const mode = parseMode(e.mode);
  if (mode !== undefined) grant.mode = mode;
  return grant;
}
