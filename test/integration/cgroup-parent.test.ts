// `cgroup_parent`: a container's groups sit under the parent the file names (relative to the
// cgroup root, in every hierarchy stack uses), found through the container's record by
// every later step. The proof is a crash: the supervisor and its watchdog are killed -9,
// and `down` still removes the group, and the parent too when stack made it — never a
// parent that was there before.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cgroupVersion, V1_CONTROLLERS } from '../../executor/host/linux/cgroups.js';
import { stack, TEST_IMAGE } from '../support/stack-cli.js';
import { isAlive, killSupervisors } from '../support/processes.js';
import { stacksUnderTest } from '../support/stacks-under-test.js';
import { psJson } from '../support/ps-json.js';

const ROOT = '/sys/fs/cgroup';
/** The hierarchies a container's groups are in: v2's one, or v1's per controller. */
const trees = () => (cgroupVersion() === 'v2' ? [ROOT] : V1_CONTROLLERS.map((c) => path.join(ROOT, c)));

const stacks = stacksUnderTest('cgp');
const env = () => stacks.env();
const ownParents: string[] = [];
afterAll(() => {
  for (const dir of ownParents) if (fs.existsSync(dir)) fs.rmdirSync(dir);
});

const upWithParent = (parent: string) =>
  stacks.up(
    `  app:\n    image: ${TEST_IMAGE}\n    command: sleep 1000\n    stop_grace_period: 0s\n    cgroup_parent: ${parent}\n`,
  );

function pidOf(f: string[]): number {
  const r = stack(env(), [...f, 'ps', '-a', '--format', 'json']);
  expect(r.code, r.stderr).toBe(0);
  return psJson<{ pid: number }>(r.stdout)[0]!.pid;
}

/** The container's group in each hierarchy, as /proc/PID/cgroup names it from the host. */
function groupsOf(pid: number): string[] {
  const lines = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n');
  const wanted = cgroupVersion() === 'v2' ? [''] : V1_CONTROLLERS;
  return lines
    .map((l) => l.split(':'))
    .filter(([, controllers]) => wanted.some((c) => (controllers ?? '').split(',').includes(c)))
    .map((parts) => parts.slice(2).join(':'));
}

describe('cgroup_parent', () => {
  it('puts the groups under the parent, and after a kill -9 of the supervisor down removes them and the parent stack made', async () => {
    const parent = `stktest-parent-${Math.random().toString(36).slice(2, 8)}`;
    const { project, f } = upWithParent(parent);
    const pid = pidOf(f);
    const groups = groupsOf(pid);
    expect(groups.length).toBe(cgroupVersion() === 'v2' ? 1 : V1_CONTROLLERS.length);
    for (const g of groups) expect(g).toBe(`/${parent}/stk-${project}.${project}-app-1`);
    // Inside, its own cgroup namespace makes the group the root.
    const inside = stack(env(), [...f, 'exec', '-T', 'app', 'cat', '/proc/self/cgroup']);
    expect(inside.code, inside.stderr).toBe(0);
    expect(inside.stdout).not.toContain(parent);
    for (const tree of trees()) expect(fs.existsSync(path.join(tree, parent))).toBe(true);
    expect(fs.existsSync(path.join(ROOT, 'memory', 'stack', project))).toBe(false);

    // top finds its processes in the group, and pause freezes it there (v1: a freezer group under the parent too).
    const top = stack(env(), [...f, 'top']);
    expect(top.code, top.stderr).toBe(0);
    expect(top.stdout).toContain('sleep 1000');
    const pause = stack(env(), [...f, 'pause']);
    expect(pause.code, pause.stderr).toBe(0);
    const frozen =
      cgroupVersion() === 'v2'
        ? fs.readFileSync(path.join(ROOT, parent, `stk-${project}.${project}-app-1`, 'cgroup.freeze'), 'utf8').trim()
        : fs.readFileSync(path.join(ROOT, 'freezer', groupsOf(pid)[0]!, 'freezer.state'), 'utf8').trim();
    expect(frozen).toMatch(/^(1|FROZEN)$/);

    // The crash: no supervisor and no watchdog, the container paused; down works from the records.
    await killSupervisors(project);
    const down = stack(env(), [...f, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    for (const tree of [...trees(), path.join(ROOT, 'freezer')])
      expect(fs.existsSync(path.join(tree, parent))).toBe(false);
    expect(isAlive(pid)).toBe(false);
  });

  it('never removes a parent that was there before', async () => {
    const parent = `stktest-own-${Math.random().toString(36).slice(2, 8)}`;
    for (const tree of trees()) {
      fs.mkdirSync(path.join(tree, parent));
      ownParents.push(path.join(tree, parent));
    }
    const { project, f } = upWithParent(parent);
    await killSupervisors(project);
    const down = stack(env(), [...f, 'down', '-t', '0']);
    expect(down.code, down.stderr).toBe(0);
    for (const tree of trees()) {
      expect(fs.existsSync(path.join(tree, parent))).toBe(true);
      expect(fs.readdirSync(path.join(tree, parent), { withFileTypes: true }).filter((e) => e.isDirectory())).toEqual(
        [],
      );
    }
  });
});
