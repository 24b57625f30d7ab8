// The exec stage: a short-lived Node program (bundled into dist/exec.cjs) that becomes a
// process inside a running container. The host spawns it already inside the container's
// PID namespace (only a parent can put a child there); it then joins the container's
// cgroups, enters its ipc, uts, net, cgroup and mount namespaces and its root on its main
// thread (after unsharing that thread's fs state, which setns(CLONE_NEWNS) requires in a
// multi-threaded process), resolves the user in the container's /etc/passwd, applies the
// container's process restrictions and execve's the command. Node's other threads stay
// behind on the host and vanish with execve. Any failure is one JSON line on fd 3 naming
// the step, and exit code 126 (127: command not found), as docker exec.

import fs from 'node:fs';
import { EXEC_ENV, EXEC_STATUS_FD, type ExecConfig } from './exec-config.js';
import { containerEnv, lookPath, LookupError } from './exec.js';
import { loadNsSys, NS_FLAGS } from './ns-sys.js';
import { applyProcessRestrictions } from './restrictions.js';
import { loadSys } from './sys.js';
import { resolveUser } from './user.js';

let current = 'read config';

function step<T>(name: string, fn: () => T): T {
  current = name;
  return fn();
}

/** Start time (field 22 of /proc/PID/stat), to tell a reused pid apart. */
function startTimeOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  } catch {
    return undefined;
  }
}

function main(): void {
  const raw = process.env[EXEC_ENV];
  if (raw === undefined) throw new Error(`${EXEC_ENV} is not set`);
  const cfg = JSON.parse(raw) as ExecConfig;
  const sys = step('load koffi', () => loadSys(cfg.koffiNative));
  // At once: we are in the container's pid namespace already. Until now the capabilities we
  // hold beyond its processes' kept them out of /proc/<our pid>/exe (the host's node); from
  // here to execve non-dumpable does, also after the restrictions leave us theirs.
  step('non-dumpable', () => sys.setNotDumpable());
  const ns = loadNsSys(cfg.koffiNative);
  step('close-on-exec', () => sys.setCloexec(EXEC_STATUS_FD, true));
  step('join cgroup', () => cfg.cgroupProcs.forEach((f) => fs.writeFileSync(f, '0')));
  const kinds = Object.keys(NS_FLAGS) as (keyof typeof NS_FLAGS)[];
  const fds = step('open namespaces', () => kinds.map((kind) => fs.openSync(`/proc/${cfg.pid}/ns/${kind}`, 'r')));
  const rootFd = step('open root', () => fs.openSync(`/proc/${cfg.pid}/root`, 'r'));
  // Checked after opening: the fds now hold whatever process had the pid, so it must still be ours.
  if (startTimeOf(cfg.pid) !== cfg.startTime) throw new Error(`container ${cfg.container} stopped`);
  step('enter namespaces', () => {
    ns.unshareFs();
    kinds.forEach((kind, i) => ns.setns(fds[i]!, kind));
    ns.enterRoot(rootFd);
    fds.forEach((fd) => fs.closeSync(fd));
    fs.closeSync(rootFd);
  });
  const user = step('resolve user', () => resolveUser(cfg.user, '/', cfg.groupAdd));
  const env = containerEnv(cfg.env, cfg.hostname, user.home);
  step('chdir', () => process.chdir(cfg.cwd || '/'));
  const file = step('lookup', () => lookPath(cfg.argv[0] ?? '', env));
  if (cfg.tty) step('controlling terminal', () => ns.takeTerminal(0));
  step('restrictions', () => applyProcessRestrictions(sys, { ...cfg.restrictions, user }));
  step('stdio', () => sys.onlyStdioAcrossExec());
  step('exec', () => sys.execve(file, cfg.argv, env));
}

try {
  main();
} catch (err) {
  const e = err as Error & { code?: string };
  const exitCode = err instanceof LookupError ? err.exitCode : 126;
  try {
    fs.writeSync(
      EXEC_STATUS_FD,
      JSON.stringify({ event: 'error', step: current, message: e.message ?? String(err), code: e.code }) + '\n',
    );
  } catch {
    /* the caller is gone; the exit code still tells */
  }
  process.exit(exitCode);
}
