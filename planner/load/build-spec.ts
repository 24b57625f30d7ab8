// A service's `build:` → BuildSpec, the way compose-go reads it: the short form is the
// context; the context and folder additional contexts are resolved against the project
// folder; `args` entries without a value take the environment's (and are left out when it
// has none). Assumes the schema and rules/build.ts passed (no URL context, known network).

import { dictOrList, parseSize, toBool } from './coerce.js';
import { extraHosts } from './extra-hosts.js';
import { resolveHostPath } from './mounts.js';
import type { BuildSecret, BuildSpec } from '../../model/types.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;

/** Additional context values that are not folders: another service's image, or an image reference. */
export const isImageContext = (v: string) => v.startsWith('service:') || v.startsWith('docker-image://');

function secrets(v: unknown): BuildSpec['secrets'] {
  return (Array.isArray(v) ? v : []).map((e) => {
    const entry = (typeof e === 'string' ? { source: e } : e) as Obj;
    const source = String(entry.source);
    // Long syntax: `target` is the id RUN --mount=type=secret asks for; uid, gid and mode
    // are what the mount gets when it does not say.
    const secret: BuildSecret = {
      id: typeof entry.target === 'string' && entry.target !== '' ? entry.target : source,
      source,
    };
    if (entry.uid !== undefined) secret.uid = String(entry.uid);
    if (entry.gid !== undefined) secret.gid = String(entry.gid);
    if (entry.mode !== undefined)
      secret.mode = typeof entry.mode === 'number' ? entry.mode : parseInt(String(entry.mode), 8);
    return secret;
  });
}

export function normalizeBuild(v: unknown, ctx: { projectDir: string; env: Env }): BuildSpec | undefined {
  if (v === undefined || v === null) return undefined;
  const b = (typeof v === 'string' ? { context: v } : v) as Obj;
  const path = (p: string) => resolveHostPath(p, ctx.projectDir, ctx.env);
  const network = typeof b.network === 'string' ? b.network : 'default';
  const spec: BuildSpec = {
    context: path(typeof b.context === 'string' ? b.context : '.'),
    args: dictOrList(b.args, (key) => ctx.env[key]),
    labels: dictOrList(b.labels),
    network: network === 'none' || network === 'host' ? network : 'default',
    extraHosts: extraHosts(b.extra_hosts),
    noCache: toBool(b.no_cache) ?? false,
    pull: toBool(b.pull) ?? false,
    tags: Array.isArray(b.tags) ? b.tags.map(String) : [],
    platforms: Array.isArray(b.platforms) ? b.platforms.map(String) : [],
    secrets: secrets(b.secrets),
    additionalContexts: Object.fromEntries(
      Object.entries(dictOrList(b.additional_contexts)).map(([name, c]) => [name, isImageContext(c) ? c : path(c)]),
    ),
  };
  if (typeof b.dockerfile === 'string') spec.dockerfile = b.dockerfile;
  if (typeof b.dockerfile_inline === 'string') spec.dockerfileInline = b.dockerfile_inline;
  if (typeof b.target === 'string') spec.target = b.target;
  const shm = parseSize(b.shm_size);
  if (shm !== undefined) spec.shmSizeBytes = shm;
  return spec;
}
