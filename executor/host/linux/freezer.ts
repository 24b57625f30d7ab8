// `stack pause`/`unpause`: the kernel's cgroup freezer. v2: `cgroup.freeze` of the container's
// own group, which reports `frozen 1` in cgroup.events once every process is stopped. v1:
// the freezer is a hierarchy of its own, which containers do not otherwise join (they would
// see it under /sys/fs/cgroup: cgroup-view.ts), so the first pause makes the container a
// group there at `freezer/stack/<project>/<name>` (or under its cgroup_parent) and moves its processes in; children
// they fork later are born in it. `freezer.state` reads FREEZING until all are stopped.
// `freezerOf(root, version)` works on any folder; the exported functions use the host's.

import fs from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { CgroupVersion } from './cgroup-limits.js';
import type { CgroupTree } from './cgroups.js';
import { groupSegments } from './cgroup-parents.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Freezing waits for processes in uninterruptible sleep; past this the pause fails and thaws. */
const SETTLE_MS = 10_000;

async function readText(file: string): Promise<string> {
  return fs.readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
}

async function settle(what: string, reached: () => Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + SETTLE_MS; !(await reached());) {
    if (Date.now() > deadline) throw new Error(`${what}: the kernel did not finish within ${SETTLE_MS / 1000}s`);
    await sleep(5);
  }
}

export function freezerOf(
  root: string,
  tree: Pick<CgroupTree, 'dirs' | 'pids' | 'makeIn' | 'removeAboveIn'>,
  version: CgroupVersion,
) {
  const v1Root = path.join(root, 'freezer');
  const v1Dir = (project: string, name: string, parent?: string) =>
    path.join(v1Root, ...groupSegments(project, name, parent));

  async function v1Freeze(project: string, name: string, parent?: string): Promise<void> {
    const dir = v1Dir(project, name, parent);
    await tree.makeIn(v1Root, project, name, parent);
    // A process may fork while we move the others: move again until none is left outside.
    for (;;) {
      const inside = new Set((await readText(path.join(dir, 'cgroup.procs'))).split('\n').filter(Boolean).map(Number));
      const outside = (await tree.pids(project, name, parent)).filter((p) => !inside.has(p));
      for (const pid of outside)
        await fs.writeFile(path.join(dir, 'cgroup.procs'), String(pid)).catch((err: NodeJS.ErrnoException) => {
          if (err.code !== 'ESRCH') throw err; // exited meanwhile
        });
      await fs.writeFile(path.join(dir, 'freezer.state'), 'FROZEN');
      await settle(
        `freezing ${project}/${name}`,
        async () => (await readText(path.join(dir, 'freezer.state'))).trim() === 'FROZEN',
      );
      if (outside.length === 0) return;
    }
  }

  async function v1Thaw(project: string, name: string, parent?: string): Promise<void> {
    const state = path.join(v1Dir(project, name, parent), 'freezer.state');
    if (!existsSync(state)) return;
    await fs.writeFile(state, 'THAWED');
    await settle(`thawing ${project}/${name}`, async () => (await readText(state)).trim() === 'THAWED');
  }

  async function v2Set(project: string, name: string, parent: string | undefined, frozen: boolean): Promise<void> {
    const dir = tree.dirs(project, name, parent)[0]!;
    if (!existsSync(path.join(dir, 'cgroup.freeze'))) {
      if (!frozen) return;
      throw new Error(`cgroup v2: ${dir}/cgroup.freeze is missing (the container is gone, or the kernel predates 5.2)`);
    }
    await fs.writeFile(path.join(dir, 'cgroup.freeze'), frozen ? '1' : '0');
    const want = `frozen ${frozen ? 1 : 0}`;
    await settle(`${frozen ? 'freezing' : 'thawing'} ${project}/${name}`, async () =>
      (await readText(path.join(dir, 'cgroup.events'))).split('\n').includes(want),
    );
  }

  return {
    async freeze(project: string, name: string, parent?: string): Promise<void> {
      if (version === 'v2') return v2Set(project, name, parent, true);
      try {
        await v1Freeze(project, name, parent);
      } catch (err) {
        await v1Thaw(project, name, parent).catch(() => {}); // never leave it half frozen
        throw err;
      }
    },
    async thaw(project: string, name: string, parent?: string): Promise<void> {
      if (version === 'v2') return v2Set(project, name, parent, false);
      return v1Thaw(project, name, parent);
    },
    /** Whether the kernel holds the container frozen (or freezing): a group never paused is not. */
    async frozen(project: string, name: string, parent?: string): Promise<boolean> {
      if (version === 'v2')
        return (await readText(path.join(tree.dirs(project, name, parent)[0]!, 'cgroup.freeze'))).trim() === '1';
      const state = (await readText(path.join(v1Dir(project, name, parent), 'freezer.state'))).trim();
      return state !== '' && state !== 'THAWED';
    },
    /** v1: the freezer group, once its processes are gone (the container's removal kills them first). */
    async remove(project: string, name: string, parent?: string): Promise<void> {
      if (version === 'v2') return;
      const dir = v1Dir(project, name, parent);
      if (!existsSync(dir)) return;
      await v1Thaw(project, name, parent);
      for (let attempt = 0; ; attempt++) {
        try {
          await fs.rmdir(dir);
          break;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          if (code === 'ENOENT') break;
          if (code !== 'EBUSY' || attempt > 200) throw err;
          await sleep(10);
        }
      }
      // The project level, or the parent's levels stack made, once empty.
      await tree.removeAboveIn(v1Root, project, name, parent).catch(() => {});
    },
  };
}
