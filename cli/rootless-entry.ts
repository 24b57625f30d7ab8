// `stack` run by an ordinary user: rootless mode. Once doctor's prerequisites hold
// (doctor/rootless-gate.ts), the command runs again inside the user's own namespaces as
// their root (executor/host/linux/rootless/), with the user's STACK_ROOT
// ($XDG_DATA_HOME/stack, else ~/.local/share/stack) and STACK_RUN ($XDG_RUNTIME_DIR/stack)
// unless the environment names others. After the user's last `down` the namespaces go too.

import os from 'node:os';
import path from 'node:path';
import { rootlessFacts } from '../doctor/rootless-gate.js';
import { rangeFor } from '../model/subid-ranges.js';
import { ensureHolder, stopHolderWhenIdle } from '../executor/host/linux/rootless/namespace-holder.js';
import { watchForwards } from '../executor/host/linux/rootless/forward-watch.js';
import { runInside } from '../executor/host/linux/rootless/enter-namespace.js';
import { MIN_SUBIDS } from '../doctor/subids.js';
import { IMAGE_RUN_PROJECT } from './image-run-project.js';
import { forgetKeptNetworksApplied, KEPT_NETWORK_PREFIX } from '../executor/kept-build-network.js';

type Env = NodeJS.ProcessEnv;

/** The user's STACK_ROOT and STACK_RUN: the environment's when it names them. */
export function rootlessDirs(env: Env, home: string, runtimeDir: string | undefined): { root: string; run: string } {
  const data = env.XDG_DATA_HOME || path.join(home, '.local', 'share');
  return {
    root: env.STACK_ROOT || path.join(data, 'stack'),
    // rootless-gate.ts required the runtime folder when STACK_RUN is not given.
    run: env.STACK_RUN || path.join(runtimeDir ?? '', 'stack'),
  };
}

/** Runs this command inside the user's namespaces; resolves to its exit code. */
export async function runRootless(command: string): Promise<number> {
  const facts = rootlessFacts({ ownRun: !!process.env.STACK_RUN });
  const user = facts.user!;
  const dirs = rootlessDirs(process.env, os.homedir(), facts.runtimeDir);
  process.env.STACK_ROOT = dirs.root;
  process.env.STACK_RUN = dirs.run;
  const uid = rangeFor(facts.subuid ?? '', user, MIN_SUBIDS);
  const gid = rangeFor(facts.subgid ?? '', user, MIN_SUBIDS);
  if (!uid || !gid)
    throw new Error(
      `rootless: ${user.name} needs one range of ${MIN_SUBIDS} ids in /etc/subuid and in /etc/subgid (several smaller ones are not mapped)`,
    );
  // Containers get groups of their own only in a subtree the kernel lets this command use.
  const cgroup = facts.delegation?.state === 'usable' ? facts.delegation.dir : undefined;
  const { holder, made } = await ensureHolder(user, { uid, gid }, cgroup);
  const forwards = holder.connector === 'pasta' ? watchForwards() : undefined;
  const code = await runInside(holder, process.env);
  // The last down of the user's stacks takes the namespaces with it, once nothing runs there;
  // so does a first command that failed (a file refused at load changes nothing).
  const last = ((command === 'down' && code === 0) || (made && code !== 0)) && !(await stacksLeft());
  if (last && (await stopHolderWhenIdle())) await forgetKeptNetworksApplied();
  // pasta, started again when the command changed what the stacks publish (nothing once the holder went).
  await forwards?.stop();
  return code;
}

/**
 * Stacks with state. A one-off's `_run` records are not a stack (its processes are what
 * counts), nor is a build's kept network: it goes with the namespaces and the next build
 * makes it again.
 */
async function stacksLeft(): Promise<boolean> {
  const { readState } = await import('../store/state-store.js');
  return (await readState.projects()).some((p) => p !== IMAGE_RUN_PROJECT && !p.startsWith(KEPT_NETWORK_PREFIX));
}
