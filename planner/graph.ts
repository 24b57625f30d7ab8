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
  const stack: string[] = [];

  const visit = (name: string): string[] | undefined => {
    state.set(name, 'active');
    stack.push(name);
    for (const next of [...new Set(deps.get(name) ?? [])].sort()) {
      const s = state.get(next);
      if (s === 'active') return stack.slice(stack.indexOf(next));
      if (s === undefined) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };

  for (const name of [...deps.keys()].sort()) {
    if (state.has(name)) continue;
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
 */
export function dependencyOrder(stack: Pick<Stack, 'services'>): string[][] {
  const names = new Set(stack.services.map((s) => s.name));
  const pending = new Map(stack.services.map((s) => [s.name, s.dependsOn.map((d) => d.service).filter((d) => names.has(d) && d !== s.name)]));
  const selfLoop = stack.services.find((s) => s.dependsOn.some((d) => d.service === s.name));
  if (selfLoop) throw new Error(`dependency cycle: ${selfLoop.name} -> ${selfLoop.name}`);
  const placed = new Set<string>();
  const levels: string[][] = [];
  while (placed.size < pending.size) {
    const level = [...pending.keys()].filter((n) => !placed.has(n) && pending.get(n)!.every((d) => placed.has(d))).sort();
    if (level.length === 0) {
      const cycle = findCycle(pending) ?? [];
      throw new Error(`dependency cycle: ${cycle.join(' -> ')}`);
    }
    for (const n of level) placed.add(n);
    levels.push(level);
  }
  return levels;
}
