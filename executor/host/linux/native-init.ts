// The native stages (native/*.c, built into dist/stack-init when the host has a C
// compiler): the same jobs as the Node init and exec stages in ~2 ms instead of ~30 ms of
// Node start. This module finds the binary and turns an InitConfig or ExecConfig into the
// line format it reads, with
// every decision the supervisor can make already made here — mount flags, the seccomp
// program, the capabilities kept, rlimit numbers, sysctl paths, the /dev nodes and masked
// paths — so the C side holds no policy of its own. STACK_INIT_STAGE=node picks the
// portable Node stage (tests run both; benchmarks compare them).

import { accessSync, constants } from 'node:fs';
import path from 'node:path';
import type { CgroupView, InitConfig, SharedNamespaces } from './init/config.js';
import type { ExecConfig } from './init/exec-config.js';
import type { ProcessRestrictions } from './init/restrictions.js';
import { INIT_TARGET } from './init/config.js';
import { capMask, keptCapabilities, lastCapability } from './init/caps.js';
import { RLIMITS } from './init/limits.js';
import { PROPAGATION } from './init/mounts.js';
import { DEV_NODES, MASKED, READONLY } from './init/rootfs.js';
import { buildFilter } from './init/seccomp.js';
import { sysctlFile } from './init/sysctls.js';
import { stageDirs } from './stage-files.js';
import { sealedExecutable } from './sealed-stage.js';

let found: string | null | undefined;

/** dist/stack-init when it was built and STACK_INIT_STAGE does not ask for the Node stage. */
export function nativeInitPath(): string | undefined {
  if (process.env.STACK_INIT_STAGE === 'node') return undefined;
  if (found === undefined) {
    found =
      stageDirs()
        .map((d) => path.join(d, 'stack-init'))
        .find((p) => {
          try {
            accessSync(p, constants.X_OK);
            return true;
          } catch {
            return false;
          }
        }) ?? null;
  }
  return found ?? undefined;
}

/**
 * What to spawn for a native stage: the sealed in-memory copy of nativeInitPath()
 * (sealed-stage.ts: its exe is no file of the host); undefined when the Node stage runs.
 */
export function nativeStageExecutable(): string | undefined {
  const file = nativeInitPath();
  return file === undefined ? undefined : sealedExecutable(file);
}

/** argv[0] of a native stage, which runs as /proc/PID/fd/N. */
export const NATIVE_STAGE_ARGV0 = 'stack-init';

/**
 * Spaces, '%', newlines and other control bytes become %XX: one record per line, fields
 * split on spaces. An empty field is %00, which decodes to the empty string in C.
 */
const field = (v: string | number) =>
  String(v).replace(/[%\s\x00-\x1f\x7f]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`) || '%00';
const line = (...fields: (string | number)[]) => fields.map(field).join(' ');
const flag = (b: boolean) => (b ? 1 : 0);

/** What the init and exec stages both apply around execve, decided here. */
function restrictionLines(r: Omit<ProcessRestrictions, 'user'>): string[] {
  return [
    ...Object.entries(r.ulimits).map(([name, { soft, hard }]) => {
      const resource = RLIMITS[name];
      if (resource === undefined) throw new Error(`unknown ulimit ${name} (known: ${Object.keys(RLIMITS).join(', ')})`);
      return line('rlimit', resource, soft < 0 ? '-' : soft, hard < 0 ? '-' : hard);
    }),
    line('no-new-privs', flag(r.noNewPrivileges)),
    line('keep-caps', capMask(keptCapabilities(r.capabilities)).toString(16)),
    line('last-cap', lastCapability()),
    ...(r.seccomp === 'default' ? [line('seccomp', buildFilter(r.capabilities).toString('hex'))] : []),
  ];
}

/** The process both stages execve: command, environment, user and working directory. */
function processLines(p: {
  argv: string[];
  env: string[];
  user: string;
  groupAdd?: string[] | undefined;
  cwd: string;
  hostname: string;
}): string[] {
  return [
    ...p.argv.map((a) => line('argv', a)),
    ...p.env.map((e) => line('env', e)),
    line('user', p.user),
    ...(p.groupAdd ?? []).map((g) => line('group-add', g)),
    line('cwd', p.cwd),
    line('hostname', p.hostname),
  ];
}

export function encodeNativeConfig(cfg: InitConfig): string {
  const sec = cfg.security;
  const lines = [
    ...cfg.cgroupProcs.map((f) => line('cgroup', f)),
    ...cfg.lowerdirs.map((d) => line('lower', d)),
    line('upper', cfg.upperdir),
    line('work', cfg.workdir),
    line('rootfs', cfg.rootfs),
    ...(cfg.domainname !== undefined ? [line('domainname', cfg.domainname)] : []),
    ...Object.entries(cfg.etcFiles).map(([name, src]) => line('etc', name, src)),
    ...cfg.mounts.map((m) => {
      const tmpfs = [
        `mode=${(m.tmpfsMode ?? 0o1777).toString(8)}`,
        ...(m.tmpfsSize !== undefined ? [`size=${m.tmpfsSize}`] : []),
      ].join(',');
      const propagation = PROPAGATION[m.propagation ?? 'rprivate'] ?? PROPAGATION.rprivate!;
      return line('mount', m.kind, m.source, m.target, flag(m.readOnly), flag(!!m.copyUp), propagation, tmpfs);
    }),
    ...DEV_NODES.map(([name, major, minor]) => line('dev', name, major, minor)),
    ...(cfg.inUserNamespace ? [line('userns', 1)] : []),
    ...(cfg.devices ?? []).map((d) => line('device', d.path, d.mode.toString(8), d.major, d.minor, d.uid, d.gid)),
    ...(cfg.oomScoreAdj === undefined ? [] : [line('oom-score-adj', cfg.oomScoreAdj)]),
    ...MASKED.map((p) => line('mask', p)),
    ...READONLY.map((p) => line('readonly', p)),
    ...(sec.initBinary ? [line('init', sec.initBinary, INIT_TARGET)] : []),
    ...Object.entries(sec.sysctls).map(([key, value]) => line('sysctl', sysctlFile('/proc/sys', key), key, value)),
    ...processLines({ ...cfg, user: sec.user, groupAdd: sec.groupAdd }),
    line('privileged', flag(sec.privileged)),
    line('readonly-rootfs', flag(sec.readOnlyRootfs)),
    line('wait', flag(cfg.waitForRelease)),
    line('shm', sec.shmSizeBytes),
    ...sharedLines(cfg.shared),
    ...restrictionLines(sec),
    ...cgroupViewLines(cfg.cgroupView),
  ];
  return `${lines.join('\n')}\n`;
}

function sharedLines(shared: SharedNamespaces | undefined): string[] {
  if (!shared) return [];
  return [
    ...(typeof shared.shm === 'string' ? [line('shm-bind', shared.shm)] : []),
    ...(shared.shm === false ? [line('no-shm', 1)] : []),
    ...(shared.hostUts ? [line('keep-hostname', 1)] : []),
    ...(shared.hostCgroupns ? [line('host-cgroupns', 1)] : []),
  ];
}

function cgroupViewLines(view: CgroupView | undefined): string[] {
  if (!view) return [];
  return [
    line('cgroupfs', view.version === 'v2' ? 2 : 1, flag(view.readOnly)),
    ...view.hierarchies.map((h) => line('cgroupfs-hierarchy', h)),
    ...view.links.map(([controller, hierarchy]) => line('cgroupfs-link', controller, hierarchy)),
  ];
}

/** The exec stage's config ($STACK_EXEC of `stack-init exec`). */
export function encodeNativeExecConfig(cfg: ExecConfig): string {
  const lines = [
    ...cfg.cgroupProcs.map((f) => line('cgroup', f)),
    line('container', cfg.container),
    line('pid', cfg.pid),
    line('start-time', cfg.startTime),
    line('tty', flag(cfg.tty)),
    ...processLines({ ...cfg, cwd: cfg.cwd || '/' }),
    ...restrictionLines(cfg.restrictions),
  ];
  return `${lines.join('\n')}\n`;
}
