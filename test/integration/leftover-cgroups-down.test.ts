// Privileged, real kernel: a stack whose records were removed leaves cgroups observe cannot
// name: a `cgroup_parent` container's `<parent>/stk-<project>.<name>` groups (with a process
// still in them) and the parent level stack made, and an empty `stack/<project>` level.
// `stack down -p` must remove them all (executor/host/linux/leftover-cgroups.ts).

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { cgroupDirs, cgroupVersion, createCgroups, removeCgroups } from '../../executor/host/linux/cgroups.js';
import { makeStackEnv, stack, uniqueProject, type StackEnv } from '../support/stack-cli.js';

let env: StackEnv | undefined;
let sleeper: ChildProcess | undefined;
let cleanup: (() => Promise<void>) | undefined;

afterEach(async () => {
  sleeper?.kill('SIGKILL');
  await cleanup?.();
  env?.dispose();
});

/** Runs `fn` with this env's STACK_RUN, where the marks of the parent levels stack made are kept. */
async function inEnv<T>(e: StackEnv, fn: () => Promise<T>): Promise<T> {
  const saved = process.env.STACK_RUN;
  process.env.STACK_RUN = e.env.STACK_RUN;
  try {
    return await fn();
  } finally {
    process.env.STACK_RUN = saved;
  }
}

it('down -p of a stack without records removes its cgroup_parent groups, their parent and an empty stack/<project> level', async () => {
  const e = (env = makeStackEnv());
  const project = uniqueProject('tlcg');
  const parent = `stkpar-${project}`;
  const name = `${project}-web-1`;
  const limits = { resources: { cgroupParent: parent }, privileged: false };
  await inEnv(e, () => createCgroups(project, name, limits));
  const groups = cgroupDirs(project, name, parent).filter((d) => fs.existsSync(d));
  const emptyLevel = path.join('/sys/fs/cgroup', cgroupVersion() === 'v2' ? '' : 'memory', 'stack', project);
  fs.mkdirSync(emptyLevel, { recursive: true });
  cleanup = () =>
    inEnv(e, async () => {
      await removeCgroups(project, name, parent);
      fs.rmSync(emptyLevel, { recursive: true, force: true }); // rmdir of an empty cgroup
    });
  // A container's process still in the groups, as a killed supervisor leaves it.
  sleeper = spawn('sleep', ['1000'], { stdio: 'ignore' });
  await new Promise((resolve) => sleeper!.once('spawn', resolve));
  for (const g of groups) fs.writeFileSync(path.join(g, 'cgroup.procs'), String(sleeper.pid));
  const gone = new Promise((resolve) => sleeper!.once('exit', resolve));

  const down = stack(e, ['-p', project, 'down', '-t', '1']);
  expect(down.code, down.stderr).toBe(0);
  expect(down.stderr).toContain(
    `stack ${project} had no records; removed its leftover cgroup ${parent}/stk-${project}.${name}, empty cgroup level stack/${project}`,
  );
  await gone;
  expect(groups.filter((g) => fs.existsSync(g))).toEqual([]);
  expect(groups.map((g) => path.dirname(g)).filter((p) => fs.existsSync(p))).toEqual([]);
  expect(fs.existsSync(emptyLevel)).toBe(false);
});
