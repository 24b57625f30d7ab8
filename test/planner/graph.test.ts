import { describe, it, expect } from 'vitest';
import { dependencyOrder, findCycle } from '../../model/graph.js';
import { serviceDefaults } from '../../planner/load/service-defaults.js';
import type { Service } from '../../model/types.js';

function stackOf(deps: Record<string, string[]>): { services: Service[] } {
  return {
    services: Object.entries(deps).map(([name, dependsOn]) => ({
      ...serviceDefaults(name, 'x', { file: 'stack.yaml', line: 1, col: 1 }),
      dependsOn: dependsOn.map((service) => ({
        service,
        condition: 'service_started' as const,
        required: true,
        restart: false,
      })),
    })),
  };
}

describe('findCycle', () => {
  it('returns undefined for a DAG', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b', 'c']],
          ['b', ['c']],
          ['c', []],
        ]),
      ),
    ).toBeUndefined();
  });

  it('returns the full path, starting at the smallest name', () => {
    expect(
      findCycle(
        new Map([
          ['a', ['b']],
          ['b', ['c']],
          ['c', ['a']],
        ]),
      ),
    ).toStrictEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['c', ['a']],
          ['b', ['c']],
          ['a', ['b']],
        ]),
      ),
    ).toStrictEqual(['a', 'b', 'c', 'a']);
    expect(
      findCycle(
        new Map([
          ['x', ['d']],
          ['d', ['b']],
          ['b', ['c']],
          ['c', ['d']],
        ]),
      ),
    ).toStrictEqual(['b', 'c', 'd', 'b']);
  });

  it('finds self-loops and is deterministic when several cycles exist', () => {
    expect(findCycle(new Map([['s', ['s']]]))).toStrictEqual(['s', 's']);
    const deps = new Map([
      ['a', ['z', 'b']],
      ['b', ['a']],
      ['z', ['a']],
    ]);
    expect(findCycle(deps)).toStrictEqual(['a', 'b', 'a']);
  });

  it('treats names without an entry as leaves', () => {
    expect(findCycle(new Map([['a', ['ghost']]]))).toBeUndefined();
  });
});

describe('dependencyOrder', () => {
  it('groups services in sorted levels', () => {
    const stack = stackOf({ web: ['api', 'cache'], api: ['db'], db: [], cache: [], worker: ['db'], lone: [] });
    expect(dependencyOrder(stack)).toStrictEqual([['cache', 'db', 'lone'], ['api', 'worker'], ['web']]);
  });

  it('ignores dependencies on services outside the stack', () => {
    expect(dependencyOrder(stackOf({ web: ['db'] }))).toStrictEqual([['web']]);
  });

  it('returns no levels for an empty stack', () => {
    expect(dependencyOrder(stackOf({}))).toStrictEqual([]);
  });

  it('throws with the cycle path on a cyclic stack', () => {
    expect(() => dependencyOrder(stackOf({ a: ['b'], b: ['c'], c: ['a'], d: [] }))).toThrow(
      'dependency cycle: a -> b -> c -> a',
    );
    expect(() => dependencyOrder(stackOf({ a: ['a'] }))).toThrow('dependency cycle: a -> a');
  });
});

describe('long dependency chains', () => {
  const n = 50_000;
  const name = (i: number) => `s${String(i).padStart(5, '0')}`;

  it('finds a cycle at the end of a chain without exhausting the call stack', () => {
    const deps = new Map(Array.from({ length: n }, (_, i) => [name(i), [name((i + 1) % n)]] as const));
    const cycle = findCycle(deps)!;
    expect(cycle).toHaveLength(n + 1);
    expect([cycle[0], cycle[1], cycle[n]]).toEqual([name(0), name(1), name(0)]);
  });

  it('orders a chain, one service per level, and a hub with many dependents', () => {
    const chain = stackOf(
      Object.fromEntries(Array.from({ length: n }, (_, i) => [name(i), i + 1 < n ? [name(i + 1)] : []])),
    );
    const levels = dependencyOrder(chain);
    expect(levels).toHaveLength(n);
    expect(levels[0]).toEqual([name(n - 1)]);
    const hub = stackOf({ hub: [], ...Object.fromEntries(Array.from({ length: n }, (_, i) => [name(i), ['hub']])) });
    expect(dependencyOrder(hub).map((l) => l.length)).toEqual([1, n]);
  });
});
