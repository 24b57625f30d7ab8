// Where a container's groups sit below a hierarchy's root, and the levels of a
// `cgroup_parent` that stack itself made. Without a parent: `stack/<project>/<name>`, whose
// project level goes with its last container (`stack/` stays: another stack may be making
// its project there). With one: `<parent>/stk-<project>.<name>` (a project name holds no
// `.`, so two stacks never meet on one name). Stack removes a level of the parent only when
// it made it, and knows that from a mark in STACK_RUN written BEFORE the mkdir, so a crash
// between the two still leaves it known; a level that was there before is never removed.
// STACK_RUN is a tmpfs that a reboot empties, as it empties the cgroup trees.

import fs from 'node:fs/promises';
import { existsSync, mkdirSync, rmdirSync } from 'node:fs';
import path from 'node:path';

/** The path segments of the container's group below each hierarchy's root. */
export function groupSegments(project: string, name: string, parent?: string): string[] {
  return parent ? [...parent.split('/'), `stk-${project}.${name}`] : ['stack', project, name];
}

/** Makes a group whose level above exists; one there already is fine (cgroupfs answers at once). */
function mkdirIfAbsentSync(dir: string): void {
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
}

/** Removes an empty group: false while it still holds a group or a process (cgroupfs answers at once). */
export function rmdirIfPresentSync(dir: string): boolean {
  try {
    rmdirSync(dir);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return true;
    if (code === 'EBUSY' || code === 'ENOTEMPTY') return false;
    throw err;
  }
}

/** `marks`: the folder of the marks (STACK_RUN/cgroup-parents on the host; tests give their own). */
export function cgroupLevels(marks: () => string) {
  const markOf = (dir: string) => path.join(marks(), encodeURIComponent(dir));

  /** Makes the levels of `segments` below `root` that are missing, each marked before it is made. */
  async function makeMarked(root: string, segments: string[]): Promise<void> {
    let dir = root;
    for (const s of segments) {
      dir = path.join(dir, s);
      if (existsSync(dir)) continue;
      await fs.mkdir(marks(), { recursive: true, mode: 0o700 });
      const marked = existsSync(markOf(dir)); // by another start making this level right now
      await fs.writeFile(markOf(dir), '');
      await fs.mkdir(dir).catch(async (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EEXIST') throw err;
        // Made by someone else since the check (systemd, an admin): not stack's to remove.
        if (!marked) await fs.rm(markOf(dir), { force: true });
      });
    }
  }

  return {
    /** True for a level stack made: its own `stack/<project>`-side levels, or a parent level it marked. */
    madeByStack: (root: string, dir: string) =>
      path.relative(root, dir).split('/')[0] === 'stack' || existsSync(markOf(dir)),

    /** Makes the container's group below `root` and whatever of its parent is missing. */
    async make(root: string, segments: string[], parent: boolean): Promise<void> {
      // The level above may be removed by another stack's cleanup between two steps: retry.
      for (let attempt = 0; ; attempt++) {
        try {
          if (parent) {
            await makeMarked(root, segments.slice(0, -1));
            mkdirIfAbsentSync(path.join(root, ...segments));
          } else mkdirSync(path.join(root, ...segments), { recursive: true }); // cgroupfs answers at once
          return;
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || attempt >= 5) throw err;
        }
      }
    },

    /** Once the container's group is gone: the levels above it that stack made and that are empty. */
    async removeAbove(root: string, segments: string[], parent: boolean): Promise<void> {
      if (!parent) {
        // Another container of the project may still be there: then the project level stays.
        rmdirIfPresentSync(path.join(root, ...segments.slice(0, -1)));
        return;
      }
      for (let depth = segments.length - 1; depth > 0; depth--) {
        const dir = path.join(root, ...segments.slice(0, depth));
        // A level stack did not make stays, and so does everything above it.
        if (!existsSync(markOf(dir))) return;
        if (!rmdirIfPresentSync(dir)) return;
        await fs.rm(markOf(dir), { force: true });
      }
    },
  };
}

export type CgroupLevels = ReturnType<typeof cgroupLevels>;
