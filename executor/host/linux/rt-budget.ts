// cpu_rt_runtime / cpu_rt_period on cgroup v1 (a kernel with CONFIG_RT_GROUP_SCHED): a
// group's realtime budget must fit in its parent's, so the kernel refuses a container's
// cpu.rt_runtime_us (EBUSY) until every level above it has room: the sum of its children's
// runtime/period ratios at most its own. A new group's budget is 0. So the levels between
// the hierarchy's root and the container's group are raised top-down first (the root keeps
// the host's own budget, 95% by default), and when the container goes each level stack made
// is lowered back bottom-up to what its remaining children need. A level stack did not make
// (a cgroup_parent that was there before) keeps what it was raised to. Ratios are compared
// as the kernel does (to_ratio: runtime << 20 / period, rounded down).

import fs from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CgroupKnobError } from './cgroup-knob-writes.js';

const ONE = 2 ** 20;
const RUNTIME = 'cpu.rt_runtime_us';
const PERIOD = 'cpu.rt_period_us';

const ratio = (runtime: number, period: number) => (runtime < 0 ? ONE : Math.floor((runtime * ONE) / period));
const runtimeFor = (need: number, period: number) => Math.ceil((need * period) / ONE);

async function budgetOf(dir: string): Promise<{ runtime: number; period: number }> {
  const read = async (f: string) => Number((await fs.readFile(path.join(dir, f), 'utf8')).trim());
  return { runtime: await read(RUNTIME), period: await read(PERIOD) };
}

/** What the children of `dir` (but `except`) take of its budget. */
async function childrenNeed(dir: string, except?: string): Promise<number> {
  let sum = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const child = path.join(dir, e.name);
    if (!e.isDirectory() || child === except) continue;
    const b = await budgetOf(child).catch(() => undefined); // removed meanwhile
    if (b) sum += ratio(b.runtime, b.period);
  }
  return sum;
}

async function write(dir: string, file: string, value: number): Promise<void> {
  try {
    await fs.writeFile(path.join(dir, file), String(value));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new CgroupKnobError(
      `cpu_rt_runtime: writing ${value} to ${path.join(dir, file)} failed (${code}): the realtime budget of the levels above does not leave room for it (the root's is the host's kernel.sched_rt_runtime_us); give a smaller cpu_rt_runtime`,
    );
  }
}

/** Gives the group at `segments` below the cpu hierarchy's `root` its budget, raising the levels above it first. */
export async function grantRtBudget(
  root: string,
  segments: string[],
  runtimeUs: number,
  periodUs: number,
): Promise<void> {
  const raises: { dir: string; runtime: number }[] = [];
  let child = path.join(root, ...segments);
  let need = ratio(runtimeUs, periodUs);
  for (let depth = segments.length - 1; depth > 0; depth--) {
    const dir = path.join(root, ...segments.slice(0, depth));
    const own = await budgetOf(dir);
    need += await childrenNeed(dir, child);
    if (need > ONE)
      throw new CgroupKnobError(
        `cpu_rt_runtime: ${dir} would need more realtime budget than its whole period for its groups; give a smaller cpu_rt_runtime`,
      );
    if (need > ratio(own.runtime, own.period)) raises.push({ dir, runtime: runtimeFor(need, own.period) });
    need = Math.max(need, ratio(own.runtime, own.period));
    child = dir;
  }
  for (const r of raises.reverse()) await write(r.dir, RUNTIME, r.runtime);
  const leaf = path.join(root, ...segments);
  await write(leaf, PERIOD, periodUs);
  await write(leaf, RUNTIME, runtimeUs);
}

/**
 * Before the group at `segments` is removed (its processes gone): its budget goes to 0, then
 * each level above it that `made` says stack made is lowered, bottom-up, to what its
 * children still need. Before, not after: a removed group lingers among its parent's
 * children in the kernel for a while, with its budget still counted.
 */
export async function returnRtBudget(root: string, segments: string[], made: (dir: string) => boolean): Promise<void> {
  const leaf = path.join(root, ...segments);
  if (!existsSync(leaf)) return;
  // It had none: nothing above was raised for it. The common case, at every container's
  // removal on such a host: one blocking read of cgroupfs (which answers at once) rather than
  // two thread-pool round trips per file.
  if (Number(readFileSync(path.join(leaf, RUNTIME), 'utf8').trim()) === 0) return;
  await fs.writeFile(path.join(leaf, RUNTIME), '0');
  for (let depth = segments.length - 1; depth > 0; depth--) {
    const dir = path.join(root, ...segments.slice(0, depth));
    if (!made(dir)) return;
    const own = await budgetOf(dir);
    if (own.runtime <= 0) continue;
    const want = runtimeFor(await childrenNeed(dir), own.period);
    if (want < own.runtime) await fs.writeFile(path.join(dir, RUNTIME), String(want));
  }
}
