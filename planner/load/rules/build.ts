// What the schema cannot say about a service's `build:`: a remote context (git URL, remote
// tarball) is not built yet; compose build keys stack does not implement are named as such;
// the network must be one a build can have here; platforms other than the host's cannot
// be built without emulation; secrets, tags and `service:NAME` contexts must name what
// exists, and `service:` contexts may not go round in a circle.

import { didYouMean } from '../../../model/edit-distance.js';
import { findCycle } from '../../../model/graph.js';
import { normalizeImageRef } from '../../../model/image-ref.js';
import type { PathSeg } from '../source-map.js';
import { list, obj, q, type Obj, type RuleContext } from './context.js';

/** Compose build keys stack does not implement, with what to do instead where there is something. */
const UNSUPPORTED: Record<string, string> = {
  cache_from: "stack's build cache is local and used by every build",
  cache_to: "stack's build cache is local and used by every build",
  entitlements: '',
  isolation: '',
  privileged: '',
  provenance: '',
  sbom: '',
  ssh: 'use a build secret (build.secrets) instead',
  ulimits: '',
};

/** The one platform stack builds for: the host's (no emulation). */
export const HOST_PLATFORM = `linux/${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** A context that is not a folder on this host: a git repository or a remote tarball. */
export const isRemoteContext = (v: string) =>
  /^[a-z][a-z0-9+.-]*:\/\//i.test(v) || v.startsWith('git@') || v.startsWith('github.com/');

function context(ctx: RuleContext, name: string, build: unknown): void {
  const path: PathSeg[] = ['services', name, 'build', ...(typeof build === 'string' ? [] : ['context'])];
  const value = typeof build === 'string' ? build : obj(build)?.context;
  if (typeof value === 'string' && isRemoteContext(value))
    ctx.at(
      path,
      `service ${q(name)}: a build context from a git repository or a URL is not supported yet; clone or download it and give its folder`,
    );
}

function additionalContexts(ctx: RuleContext, name: string, b: Obj): void {
  const base: PathSeg[] = ['services', name, 'build', 'additional_contexts'];
  for (const { key, value, path, at } of entries(b.additional_contexts, base)) {
    if (isRemoteContext(value) && !value.startsWith('docker-image://'))
      ctx.at(
        path,
        `service ${q(name)}: additional context ${q(key)} from a git repository or a URL is not supported yet`,
        at,
      );
    if (!value.startsWith('service:')) continue;
    const other = value.slice('service:'.length);
    const built = ctx.services.get(other)?.build !== undefined;
    if (other === name) ctx.at(path, `service ${q(name)}: additional context ${q(key)} is its own image`, at);
    else if (!built)
      ctx.at(
        path,
        `service ${q(name)}: additional context ${q(key)} names service ${q(other)}, which ${ctx.services.has(other) ? 'has no "build"' : `does not exist${didYouMean(other, ctx.names)}`}`,
        at,
      );
  }
}

/** `KEY=VALUE` list items or map entries, each with its path. */
function entries(v: unknown, base: PathSeg[]): { key: string; value: string; path: PathSeg[]; at: 'key' | 'value' }[] {
  if (Array.isArray(v))
    return v.flatMap((e, i) => {
      const s = String(e);
      const eq = s.indexOf('=');
      return eq < 0 ? [] : [{ key: s.slice(0, eq), value: s.slice(eq + 1), path: [...base, i], at: 'value' as const }];
    });
  return Object.entries(obj(v) ?? {}).flatMap(([key, value]) =>
    typeof value === 'string' ? [{ key, value, path: [...base, key], at: 'value' as const }] : [],
  );
}

function secrets(ctx: RuleContext, name: string, b: Obj): void {
  const declared = obj(ctx.root.secrets) ?? {};
  list(b.secrets).forEach((entry, i) => {
    const source = typeof entry === 'string' ? entry : obj(entry)?.source;
    if (typeof source !== 'string') return;
    const path: PathSeg[] = ['services', name, 'build', 'secrets', i, ...(typeof entry === 'string' ? [] : ['source'])];
    const secret = obj(declared[source]);
    if (!secret)
      ctx.at(
        path,
        `service ${q(name)}: build secret ${q(source)} is not declared in the top-level "secrets"${didYouMean(source, Object.keys(declared))}`,
      );
    else if (typeof secret.file !== 'string')
      ctx.at(
        path,
        `service ${q(name)}: build secret ${q(source)} must come from a file ("file:"); others are not supported yet`,
      );
  });
}

function fields(ctx: RuleContext, name: string, b: Obj): void {
  const at = (key: string, message: string, where: 'key' | 'value' = 'value') =>
    ctx.at(['services', name, 'build', key], `service ${q(name)}: ${message}`, where);
  for (const key of Object.keys(b))
    if (Object.hasOwn(UNSUPPORTED, key))
      at(
        key,
        `build.${key} is valid Compose, not supported by stack: remove it${UNSUPPORTED[key] ? `; ${UNSUPPORTED[key]}` : ''}`,
        'key',
      );
  if (b.dockerfile !== undefined && b.dockerfile_inline !== undefined)
    at('dockerfile_inline', 'build.dockerfile and build.dockerfile_inline exclude each other; keep one', 'key');
  if (typeof b.network === 'string' && !['default', 'none', 'host'].includes(b.network))
    at(
      'network',
      `build.network ${q(b.network)} is not supported: a build runs with "default" (egress), "none" or "host"`,
    );
  list(b.platforms).forEach((p, i) => {
    if (typeof p === 'string' && p !== HOST_PLATFORM)
      ctx.at(
        ['services', name, 'build', 'platforms', i],
        `service ${q(name)}: platform ${q(p)} cannot be built here: stack builds for the host's platform (${HOST_PLATFORM}) only`,
      );
  });
  list(b.tags).forEach((t, i) => {
    try {
      if (typeof t === 'string') normalizeImageRef(t);
    } catch (err) {
      ctx.at(['services', name, 'build', 'tags', i], `service ${q(name)}: build tag: ${(err as Error).message}`);
    }
  });
}

export function checkBuild(ctx: RuleContext, name: string, svc: Obj): void {
  if (svc.build === undefined) return;
  context(ctx, name, svc.build);
  const b = obj(svc.build);
  if (!b) return;
  fields(ctx, name, b);
  secrets(ctx, name, b);
  additionalContexts(ctx, name, b);
}

/** Builds that take another service's image as a context must not go round in a circle. */
export function checkBuildCycles(ctx: RuleContext): void {
  const uses = (n: string) =>
    entries(obj(ctx.services.get(n)!.build)?.additional_contexts, ['services', n, 'build', 'additional_contexts'])
      .filter((e) => e.value.startsWith('service:'))
      .map((e) => ({ ...e, other: e.value.slice('service:'.length) }))
      .filter((e) => e.other !== n && ctx.services.has(e.other));
  // Only services that build can use another's image (findCycle: a name left out has no dependencies).
  const building = ctx.names.filter((n) => obj(ctx.services.get(n)!.build) !== undefined);
  const cycle = findCycle(new Map(building.map((n) => [n, uses(n).map((e) => e.other)])));
  if (!cycle) return;
  const [first, second] = cycle as [string, string];
  const entry = uses(first).find((e) => e.other === second)!;
  ctx.at(entry.path, `build cycle through additional contexts: ${cycle.join(' -> ')}`, entry.at);
}
