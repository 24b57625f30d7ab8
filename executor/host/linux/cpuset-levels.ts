// cgroup v1's cpuset controller makes a group with no CPUs and no memory nodes, and no
// process may join such a group (ENOSPC). As runc does, every level stack makes under the
// cpuset tree takes its parent's lists before the container's own cpuset is written.

import fs from 'node:fs/promises';
import path from 'node:path';

/** Fills cpuset.cpus and cpuset.mems of `root/levels[0]`, then of each level below it, where empty. */
export async function fillCpuset(root: string, levels: string[]): Promise<void> {
  let parent = root;
  for (const level of levels) {
    const dir = path.join(parent, level);
    for (const file of ['cpuset.mems', 'cpuset.cpus']) {
      const own = (await fs.readFile(path.join(dir, file), 'utf8')).trim();
      if (own === '')
        await fs.writeFile(path.join(dir, file), (await fs.readFile(path.join(parent, file), 'utf8')).trim());
    }
    parent = dir;
  }
}
