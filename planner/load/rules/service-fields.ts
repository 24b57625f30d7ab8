// Values of one service that the schema accepts in shape but that cannot work: commands
// that do not split, unknown signals and capabilities, volume entries that do not parse,
// healthcheck tests without CMD/CMD-SHELL/NONE, conflicting replica counts.

import { posix } from 'node:path';
import { ALL_CAPABILITIES, canonicalCapability } from '../../../model/capabilities.js';
import { toInt } from '../coerce.js';
import { closest, didYouMean } from '../../../model/edit-distance.js';
import { parseTmpfs, parseVolume } from '../mounts.js';
import { shellSplit, ShellSplitError } from '../short-forms.js';
import type { PathSeg } from '../source-map.js';
import { list, obj, type Obj, type RuleContext } from './context.js';
import { isIpv4 } from './networking.js';
import { isKnownSignal, SIGNALS } from '../../../model/signals.js';

/** Same shape as the schema's stop_signal pattern. */
const STOP_SIGNAL_SHAPE = /^(SIG)?[A-Z0-9+-]+$/;

function commands(ctx: RuleContext, name: string, svc: Obj): void {
  for (const key of ['command', 'entrypoint']) {
    if (typeof svc[key] !== 'string') continue;
    try {
      shellSplit(svc[key]);
    } catch (e) {
      if (!(e instanceof ShellSplitError)) throw e;
      ctx.at(['services', name, key], `cannot split "${key}" of service "${name}" into arguments: ${e.message}`);
    }
  }
}

function stopSignal(ctx: RuleContext, name: string, svc: Obj): void {
  const s = svc.stop_signal;
  // Values the schema already rejects (lowercase, not a string) get only its diagnostic.
  if (typeof s !== 'string' || !STOP_SIGNAL_SHAPE.test(s) || isKnownSignal(s)) return;
  const hint = /^\d+$/.test(s) ? '' : didYouMean(s.startsWith('SIG') ? s : `SIG${s}`, SIGNALS);
  ctx.at(
    ['services', name, 'stop_signal'],
    `unknown stop_signal "${s}" of service "${name}"; use a signal name such as SIGTERM, SIGINT, SIGQUIT or SIGKILL, or a number from 1 to 64${hint}`,
  );
}

function capabilities(ctx: RuleContext, name: string, svc: Obj): void {
  for (const key of ['cap_add', 'cap_drop']) {
    list(svc[key]).forEach((cap, i) => {
      if (typeof cap !== 'string') return;
      const canonical = canonicalCapability(cap);
      if (canonical === 'ALL' || ALL_CAPABILITIES.includes(canonical)) return;
      const bare = (c: string) => c.replace(/^CAP_/, '');
      const near = closest(bare(canonical), ALL_CAPABILITIES.map(bare));
      const hint = near === undefined ? '' : `; did you mean "${near}"?`;
      ctx.at(['services', name, key, i], `unknown capability "${cap}" in "${key}" of service "${name}"${hint}`);
    });
  }
}

function mounts(ctx: RuleContext, name: string, svc: Obj): void {
  list(svc.volumes).forEach((entry, i) => {
    const path: PathSeg[] = ['services', name, 'volumes', i];
    const e = obj(entry);
    if (e === undefined && typeof entry !== 'string') return;
    const r = parseVolume(entry, '/', ctx.env);
    if (!r.ok) return ctx.at(path, `invalid volume ${JSON.stringify(entry)} of service "${name}": ${r.why}`);
    if (!posix.isAbsolute(r.mount.target))
      ctx.at(
        e ? [...path, 'target'] : path,
        `volume target "${r.mount.target}" of service "${name}" must be an absolute path inside the container`,
      );
    if (e?.type === 'bind' && (typeof e.source !== 'string' || e.source === ''))
      ctx.at(path, `bind mount of service "${name}" needs a "source" (the host path)`, 'value');
    if (e?.type === 'image' && (typeof e.source !== 'string' || e.source === ''))
      ctx.at(path, `image mount of service "${name}" needs a "source" (the image reference)`, 'value');
    for (const kind of ['volume', 'image'] as const) {
      const subpath = obj(e?.[kind])?.subpath;
      if (typeof subpath === 'string' && (posix.isAbsolute(subpath) || subpath.split('/').includes('..')))
        ctx.at(
          [...path, kind, 'subpath'],
          `${kind} subpath "${subpath}" of service "${name}" must be a relative path inside the ${kind}, without ".."`,
        );
    }
    if (e?.type === 'tmpfs' && e.source !== undefined)
      ctx.at([...path, 'source'], `tmpfs mount of service "${name}" takes no "source"`);
  });
  const tmpfs = typeof svc.tmpfs === 'string' ? [svc.tmpfs] : list(svc.tmpfs);
  tmpfs.forEach((entry, i) => {
    if (typeof entry !== 'string') return;
    const path: PathSeg[] =
      typeof svc.tmpfs === 'string' ? ['services', name, 'tmpfs'] : ['services', name, 'tmpfs', i];
    const r = parseTmpfs(entry);
    if (!r.ok) ctx.at(path, `invalid tmpfs ${JSON.stringify(entry)} of service "${name}": ${r.why}`);
    else if (!posix.isAbsolute(r.mount.target))
      ctx.at(path, `tmpfs target "${r.mount.target}" of service "${name}" must be an absolute path`);
  });
}

function healthcheck(ctx: RuleContext, name: string, svc: Obj): void {
  const test = obj(svc.healthcheck)?.test;
  if (!Array.isArray(test) || ['CMD', 'CMD-SHELL', 'NONE'].includes(String(test[0]))) return;
  ctx.at(
    ['services', name, 'healthcheck', 'test', 0],
    `healthcheck test of service "${name}" must start with "CMD", "CMD-SHELL" or "NONE" (or be a string, run by the shell)`,
  );
}

function replicas(ctx: RuleContext, name: string, svc: Obj): number {
  const scale = toInt(svc.scale);
  const deployed = toInt(obj(svc.deploy)?.replicas);
  if (scale !== undefined && deployed !== undefined && scale !== deployed) {
    ctx.at(
      ['services', name, 'scale'],
      `service "${name}" sets scale ${scale} and deploy.replicas ${deployed}; keep one of them`,
    );
  }
  return deployed ?? scale ?? 1;
}

function extraHosts(ctx: RuleContext, name: string, svc: Obj): void {
  list(svc.extra_hosts).forEach((e, i) => {
    if (typeof e !== 'string') return;
    const sep = e.includes('=') ? e.indexOf('=') : e.indexOf(':');
    if (sep <= 0) return; // the schema reports entries without a separator
    const ip = e.slice(sep + 1).replace(/^\[(.*)\]$/, '$1');
    if (ip === 'host-gateway' || isIpv4(ip) || (ip.includes(':') && /^[0-9a-fA-F:.]+$/.test(ip))) return;
    ctx.at(
      ['services', name, 'extra_hosts', i],
      `extra host "${e}" of service "${name}" must map to an IP address or host-gateway`,
    );
  });
}

/** Checks one service; returns its container_name and replica count for the stack-wide checks. */
export function checkServiceFields(
  ctx: RuleContext,
  name: string,
  svc: Obj,
): { containerName?: string; replicas: number } {
  commands(ctx, name, svc);
  stopSignal(ctx, name, svc);
  capabilities(ctx, name, svc);
  mounts(ctx, name, svc);
  healthcheck(ctx, name, svc);
  extraHosts(ctx, name, svc);
  const n = replicas(ctx, name, svc);
  const containerName = typeof svc.container_name === 'string' ? svc.container_name : undefined;
  if (containerName !== undefined && n > 1) {
    ctx.at(
      ['services', name, 'container_name'],
      `service "${name}" has container_name "${containerName}" and ${n} replicas; a container name is unique, so remove container_name or run one replica`,
    );
  }
  return { containerName, replicas: n };
}
