// The dependency graph of a stack: start order in levels, and cycle detection with the
// full path. Deterministic: names are always visited in sorted order.

import type { Stack } from './types.js';

/**
 * A cycle in `deps` (service → services it depends on) as a path that starts and ends at
 * the same name, rotated to start at its smallest name, e.g. `['a', 'b', 'c', 'a']`; or
 * undefined when the graph is acyclic. Names missing from the map have no dependencies.
 */
export function findCycle(deps: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'active' | 'done'>();
  // Depth-first with an explicit stack: a chain of thousands of services must not exhaust
  // the call stack. Each frame holds a name and the dependencies it has yet to visit.
  const visit = (root: string): string[] | undefined => {
    const path: string[] = [];
    const frames: { name: string; next: string[] }[] = [];
    const enter = (name: string) => {
      state.set(name, 'active');
      path.push(name);
      // Most services depend on none or one: no set and no sort for those (a stack of 1000
      // services is walked twice while it loads).
      const ds = deps.get(name) ?? [];
      frames.push({ name, next: ds.length < 2 ? [...ds] : [...new Set(ds)].sort().reverse() });
    };
    enter(root);
    while (frames.length > 0) {
      const frame = frames[frames.length - 1]!;
      const next = frame.next.pop();
      if (next === undefined) {
        frames.pop();
        path.pop();
        state.set(frame.name, 'done');
        continue;
      }
      const s = state.get(next);
      if (s === 'active') return path.slice(path.indexOf(next));
      if (s === undefined) enter(next);
    }
    return undefined;
  };

  for (const name of [...deps.keys()].sort()) {
    if (state.has(name)) continue;
    // A name without dependencies starts no cycle: done without a walk.
    if ((deps.get(name) ?? []).length === 0) {
      state.set(name, 'done');
      continue;
    }
    const cycle = visit(name);
    if (cycle) {
      const smallest = [...cycle].sort()[0]!;
      const i = cycle.indexOf(smallest);
      const rotated = [...cycle.slice(i), ...cycle.slice(0, i)];
      return [...rotated, smallest];
    }
  }
  return undefined;
}

/**
 * Services grouped in start levels: level 0 depends on nothing, level n only on earlier
 * levels; each level sorted by name. Dependencies on services not in the stack are ignored.
 * Throws on a cycle (loadStack rejects those, so this only happens for hand-built stacks).
 * Linear in services and dependencies (Kahn's algorithm, one level at a time).
 */
export function dependencyOrder(stack: Pick<Stack, 'services'>): string[][] {
  const names = new Set(stack.services.map((s) => s.name));
  const pending = new Map(
    stack.services.map((s) => [
      s.name,
      [...new Set(s.dependsOn.map((d) => d.service))].filter((d) => names.has(d) && d !== s.name),
    ]),
  );
  const selfLoop = stack.services.find((s) => s.dependsOn.some((d) => d.service === s.name));
  if (selfLoop) throw new Error(`dependency cycle: ${selfLoop.name} -> ${selfLoop.name}`);
  const waitingOn = new Map([...pending].map(([n, ds]) => [n, ds.length]));
  const dependents = new Map<string, string[]>();
  for (const [n, ds] of pending) {
    for (const d of ds) {
      const list = dependents.get(d);
      if (list) list.push(n);
      else dependents.set(d, [n]);
    }
  }
  const levels: string[][] = [];
  let level = [...pending.keys()].filter((n) => waitingOn.get(n) === 0).sort();
  let placed = 0;
  while (level.length > 0) {
    levels.push(level);
    placed += level.length;
    const next: string[] = [];
    for (const n of level) {
      for (const dependent of dependents.get(n) ?? []) {
        const left = waitingOn.get(dependent)! - 1;
        waitingOn.set(dependent, left);
        if (left === 0) next.push(dependent);
      }
    }
    level = next.sort();
  }
  if (placed < pending.size) {
    const cycle = findCycle(pending) ?? [];
    throw new Error(`dependency cycle: ${cycle.join(' -> ')}`);
  }
  return levels;
}
