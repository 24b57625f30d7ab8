// The CLI's rootless entry: an ordinary user's command runs again, unchanged, inside the
// user's namespaces (namespace-holder.ts) as their root, with STACK_ROOT and STACK_RUN the
// user's own. Node cannot setns(2) into a user namespace (it has threads), so nsenter does,
// then sets uid and gid 0 there and executes this same command. The outer process only
// waits: the terminal's signals reach both (one process group), and the inner command's exit
// code is the outer one's.

import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import type { HolderRecord } from './namespace-holder.js';

/** Runs `node <argv…>` inside the holder's namespaces; resolves to its exit code (128+n for a signal). */
export function runInside(holder: HolderRecord, env: NodeJS.ProcessEnv): Promise<number> {
  const child = spawn(
    'nsenter',
    [
      `--target=${holder.pid}`,
      '--user',
      '--mount',
      '--net',
      '--uts',
      '--ipc',
      // A holder given a delegated subtree keeps the host's cgroup namespace (namespace-holder.ts).
      ...(holder.cgroup === undefined ? ['--cgroup'] : []),
      '--pid',
      // Opened inside (after the setns calls): a folder opened on the host's side (--wd) is
      // unreachable from the namespace's mounts, and getcwd then walks up by readdir, which a
      // parent other users may only cross (0711) refuses with EACCES.
      `--wdns=${process.cwd()}`,
      '--',
      process.execPath,
      ...process.execArgv,
      ...process.argv.slice(1),
    ],
    { stdio: 'inherit', env },
  );
  // Ctrl-C goes to the whole process group: the inner command answers it; this one waits.
  const ignore = () => {};
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', ignore);
  const onTerm = forward('SIGTERM');
  const onHup = forward('SIGHUP');
  process.on('SIGTERM', onTerm);
  process.on('SIGHUP', onHup);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      process.off('SIGINT', ignore);
      process.off('SIGTERM', onTerm);
      process.off('SIGHUP', onHup);
      resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}
