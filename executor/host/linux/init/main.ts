// The init stage: PID 1 of a new container, a short-lived Node program bundled into
// dist/init.cjs. It builds the container's filesystem view, reports "ready" on fd 4, waits
// for the supervisor's "go" byte on fd 3 (the network is wired meanwhile), then drops
// privileges and execve's the container's command. fd 4 is close-on-exec, so the
// supervisor sees EOF exactly when execve succeeded; any failure is one JSON line on fd 4
// naming the step, and exit code 127 (126: found but not executable).

import fs from 'node:fs';
import { GO_FD, INIT_ENV, INIT_TARGET, STATUS_FD, type InitConfig, type InitStatus } from './config.js';
import { CLONE_NEWCGROUP, InitSysError, MS, loadSys, type Sys } from './sys.js';
import { maskPaths, mountRootfs } from './rootfs.js';
import { containerEnv, lookPath, LookupError } from './exec.js';
import { writeSysctls } from './sysctls.js';
import { resolveUser } from './user.js';
import { applyProcessRestrictions } from './restrictions.js';
import { mountCgroupView } from './cgroup-view.js';

let current = 'read config';

function step<T>(name: string, fn: () => T): T {
  current = name;
  return fn();
}

function report(status: InitStatus): void {
  fs.writeSync(STATUS_FD, JSON.stringify(status) + '\n');
}

/** Blocks until the supervisor writes the go byte; EOF means it gave up on this container. */
function waitForGo(sys: Sys): void {
  // The pipe end comes non-blocking; only this process holds it, so make it block (a
  // polling loop would add its nap to every start).
  sys.setBlocking(GO_FD);
  if (fs.readSync(GO_FD, Buffer.alloc(1), 0, 1, null) === 0) throw new Error('supervisor closed the release pipe');
}

async function main(): Promise<void> {
  const raw = process.env[INIT_ENV];
  if (raw === undefined) throw new Error(`${INIT_ENV} is not set`);
  const cfg = JSON.parse(raw) as InitConfig;
  // Joining a cgroup waits for an RCU grace period in the kernel (~10 ms here), so it
  // starts first, on a threadpool thread, and overlaps loading koffi and mounting. "0" is
  // the writer's whole process: the container is charged from here on, not for Node's
  // boot. The files are opened now, before pivot_root hides their paths; the cgroup
  // namespace is unshared only later, so its root is the container's own group.
  // Before anything else runs: the container's processes inherit it, across execve too.
  if (cfg.oomScoreAdj !== undefined)
    step('oom_score_adj', () => fs.writeFileSync('/proc/self/oom_score_adj', String(cfg.oomScoreAdj)));
  const fds = step('join cgroup', () => cfg.cgroupProcs.map((f) => fs.openSync(f, 'w')));
  const joined = Promise.all(
    fds.map(
      (fd) =>
        new Promise<void>((resolve, reject) => {
          fs.write(fd, '0', (err) => {
            fs.closeSync(fd);
            if (err) reject(err);
            else resolve();
          });
        }),
    ),
  );
  const sys = step('load koffi', () => loadSys(cfg.koffiNative));
  // As the exec stage: nothing in the container reaches /proc/1/exe (the host's node) before execve.
  step('non-dumpable', () => sys.setNotDumpable());
  step('close-on-exec', () => {
    sys.setCloexec(GO_FD, true);
    sys.setCloexec(STATUS_FD, true);
  });
  try {
    mountRootfs(sys, cfg, step);
  } catch (err) {
    await joined.catch(() => {}); // the first error is the one to report
    throw err;
  }
  await step('join cgroup', () => joined);
  const sec = cfg.security;
  // docker creates a missing working directory; a read-only root needs it made now.
  step('working directory', () => fs.mkdirSync(cfg.cwd, { recursive: true }));
  report({ event: 'ready', ms: Math.round(performance.now() * 10) / 10 });
  // Nothing to wire (no network endpoints): the supervisor has nothing to do before exec.
  if (cfg.waitForRelease) step('wait for release', () => waitForGo(sys));
  // The network is wired now, so sysctls of its interfaces exist; then /proc gets its masks.
  step('sysctls', () => writeSysctls('/proc/sys', sec.sysctls));
  if (!sec.privileged) step('mask /proc', () => maskPaths(sys));
  if (sec.readOnlyRootfs) step('read-only rootfs', () => sys.mount(null, '/', null, MS.BIND | MS.REMOUNT | MS.RDONLY));
  // cgroup: host keeps the host's cgroup namespace (and /sys/fs/cgroup shows the host's tree).
  if (!cfg.shared?.hostCgroupns) step('unshare cgroup namespace', () => sys.unshare(CLONE_NEWCGROUP));
  if (cfg.cgroupView) step('mount cgroup', () => mountCgroupView(sys, cfg.koffiNative, cfg.cgroupView!));
  const user = step('resolve user', () => resolveUser(sec.user, '/', sec.groupAdd));
  const env = containerEnv(cfg.env, cfg.hostname, user.home);
  step('chdir', () => process.chdir(cfg.cwd));
  const file = step('lookup', () => lookPath(cfg.argv[0] ?? '', env));
  // tini execvp's the command itself; the lookup above still reports a missing one clearly.
  const [path, argv] = sec.initBinary ? [INIT_TARGET, [INIT_TARGET, '--', ...cfg.argv]] : [file, cfg.argv];
  applyProcessRestrictions(sys, { ...sec, user }, step);
  step('stdio', () => sys.onlyStdioAcrossExec());
  step('exec', () => sys.execve(path, argv, env));
}

main().catch((err: unknown) => {
  const e = err as Error & { code?: string };
  let exitCode = 127;
  if (err instanceof LookupError) exitCode = err.exitCode;
  else if (err instanceof InitSysError && current === 'exec' && (e.code === 'EACCES' || e.code === 'ENOEXEC'))
    exitCode = 126;
  try {
    report({ event: 'error', step: current, message: e.message ?? String(err), code: e.code });
  } catch {
    /* the supervisor is gone; the exit code still tells */
  }
  process.exit(exitCode);
});
