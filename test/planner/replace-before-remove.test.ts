// Make-before-break recreates (planner/plan/plan-instances.ts): a changed container is replaced
// by one started beside it when its service allows two at once; the published ports switch
// once the new one is ready, and only then does the old one go. Golden plan text under golden/.

import { describe, expect, it } from 'vitest';
import type { Observed } from '../../model/observed.js';
import type { Plan } from '../../model/plan.js';
import { planToText } from '../../model/plan-text.js';
import { findCycle } from '../../model/plan-cycle.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import { applied, load, observed } from './reconcile-fixtures.js';

const web = (extra = '') => `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: httpd -f -p 80 -h /www
    ports: ["8080:80"]
    healthcheck: { test: ["CMD", "true"], interval: 1s }
${extra}  client:
    image: stack.local/busybox:latest
    depends_on: [web]
    command: ["sleep", "1000"]
`;

const up = (text: string): Observed => applied(reconcile(load(text), observed()), observed());
const ids = (plan: Plan) => plan.operations.map((o) => o.id);

describe('replacing a container beside the old one', () => {
  it('starts the new one, waits until it is healthy, switches the published ports, then removes the old one', async () => {
    const state = up(web());
    const edited = web('    environment: { MODE: fast }\n');
    const plan = reconcile(load(edited), state);
    expect(ids(plan)).toEqual(['start:hello-web-1.b', 'ready:hello-web-1.b', 'nat:switch', 'remove:hello-web-1']);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/replace-before-remove.txt');
    const switched = plan.operations.find((o) => o.id === 'nat:switch');
    const started = plan.operations.find((o) => o.kind === 'container.start');
    expect(switched?.kind === 'nat.apply' && switched.nat.ports.map((p) => [p.container, p.containerIp])).toEqual([
      ['hello-web-1.b', started?.kind === 'container.start' && started.container.endpoints[0]!.ip],
    ]);
    // The client, which only depends on web starting, is left alone; applied, nothing is left to do.
    expect(reconcile(load(edited), applied(plan, state)).operations).toEqual([]);
  });

  it('keeps the host port a random publish got, and the replacement shows the slot name', () => {
    const text = web().replace('"8080:80"', '"80"');
    const first = reconcile(load(text), observed());
    const port = first.operations.find((o) => o.kind === 'nat.apply');
    const state: Observed = {
      ...applied(first, observed()),
      nat:
        port?.kind === 'nat.apply'
          ? { table: port.nat.table, hash: port.nat.hash, present: true, ports: port.nat.ports }
          : undefined,
    };
    const plan = reconcile(load(text.replace('interval: 1s', 'interval: 2s')), state);
    const switched = plan.operations.find((o) => o.id === 'nat:switch');
    expect(switched?.kind === 'nat.apply' && switched.nat.ports.map((p) => p.hostPort)).toEqual(
      port?.kind === 'nat.apply' && port.nat.ports.map((p) => p.hostPort),
    );
    const started = plan.operations.find((o) => o.kind === 'container.start');
    expect(started?.kind === 'container.start' && [started.container.name, started.container.displayName]).toEqual([
      'hello-web-1.b',
      'hello-web-1',
    ]);
  });

  it('stops first what cannot run twice: a writable volume, a fixed address, a shared network namespace', () => {
    const cases = {
      volume: web('    volumes: ["data:/data"]\n') + 'volumes:\n  data: {}\n',
      address:
        web('    networks: { default: { ipv4_address: 10.123.1.50 } }\n') +
        'networks:\n  default:\n    ipam: { config: [{ subnet: 10.123.1.0/24 }] }\n',
      shared:
        web() +
        '  sidecar:\n    image: stack.local/busybox:latest\n    network_mode: service:web\n    command: ["sleep", "1000"]\n',
    };
    for (const [what, text] of Object.entries(cases)) {
      const plan = reconcile(load(text.replace('interval: 1s', 'interval: 2s')), up(text));
      expect(ids(plan).slice(0, 2), what).toEqual(['remove:hello-web-1', 'start:hello-web-1']);
    }
    // A read-only volume is no obstacle.
    const readOnly = web('    volumes: ["data:/data:ro"]\n') + 'volumes:\n  data: {}\n';
    expect(ids(reconcile(load(readOnly.replace('interval: 1s', 'interval: 2s')), up(readOnly)))[0]).toBe(
      'start:hello-web-1.b',
    );
  });

  it('after an interrupted replacement, keeps the container made from the file and removes the other', () => {
    const state = up(web());
    const edited = web('    environment: { MODE: fast }\n');
    const plan = reconcile(load(edited), state);
    // Killed after the new container started and before the old one went: both run.
    const both = applied({ ...plan, operations: plan.operations.filter((o) => o.kind === 'container.start') }, state);
    expect(both.containers.map((c) => c.name).sort()).toEqual(['hello-client-1', 'hello-web-1', 'hello-web-1.b']);
    // The next up finishes the replacement: the old container goes once the new one is ready.
    const next = reconcile(load(edited), both);
    expect(ids(next)).toEqual(['ready:hello-web-1.b', 'nat:switch', 'remove:hello-web-1']);
    expect(next.operations.find((o) => o.id === 'remove:hello-web-1')?.after).toEqual([
      'ready:hello-web-1.b',
      'nat:switch',
    ]);
    expect(next.operations.find((o) => o.id === 'remove:hello-web-1')?.cause).toMatch(
      /^an earlier apply left hello-web-1 beside its replacement hello-web-1.b/,
    );
    expect(reconcile(load(edited), applied(next, both)).operations).toEqual([]);
    // With the old file back, the old container is the one to keep, and the ports never leave it.
    const back = reconcile(load(web()), both);
    expect(ids(back)).toEqual(['ready:hello-web-1', 'remove:hello-web-1.b']);
    // A replacement that died is started again beside the old one, which serves meanwhile.
    const died: Observed = {
      ...both,
      containers: both.containers.map((c) => (c.name === 'hello-web-1.b' ? { ...c, running: false } : c)),
    };
    const retry = reconcile(load(edited), died);
    expect(ids(retry)).toEqual([
      'remove:hello-web-1.b',
      'start:hello-web-1.b',
      'ready:hello-web-1.b',
      'nat:switch',
      'remove:hello-web-1',
    ]);
    expect(retry.operations.find((o) => o.id === 'start:hello-web-1.b')?.after).toContain('remove:hello-web-1.b');
  });
});

describe('plans with replacements have no ring of waits', () => {
  it('a network made in the same plan means stop first (its creation waits for the removals)', () => {
    const state = up(web());
    const edited =
      web('    environment: { MODE: fast }\n    networks: [default, extra]\n') + 'networks:\n  extra: {}\n';
    const plan = reconcile(load(edited.replace('  client:\n', '  client:\n    networks: [default]\n')), state);
    expect(plan.operations.some((o) => o.id === 'network:extra')).toBe(true);
    expect(ids(plan)).toContain('remove:hello-web-1');
    expect(ids(plan).some((id) => id.endsWith('.b'))).toBe(false);
    expect(findCycle(plan.operations)).toBeUndefined();
  });

  it('findCycle names a ring', () => {
    const op = (id: string, after: string[]) => ({ kind: 'stack.forget' as const, id, cause: '', after, project: 'p' });
    expect(findCycle([op('a', ['b']), op('b', ['c']), op('c', ['a'])])).toEqual(['a', 'b', 'c', 'a']);
    expect(findCycle([op('a', []), op('b', ['a'])])).toBeUndefined();
  });
});

describe('where stopping first stays', () => {
  it('a subnet without a spare address: the container is stopped before its successor takes its address', () => {
    const text =
      web('    networks: [tiny]\n').replace('  client:\n', '  client:\n    network_mode: none\n') +
      'networks:\n  tiny:\n    ipam: { config: [{ subnet: 10.123.9.0/30 }] }\n';
    const plan = reconcile(load(text.replace('interval: 1s', 'interval: 2s')), up(text));
    expect(ids(plan)).toEqual(['remove:hello-web-1', 'start:hello-web-1']);
  });

  it('a job another service waits to complete is never run twice at once', () => {
    const text = web().replace(
      '    depends_on: [web]\n',
      '    depends_on: { web: { condition: service_completed_successfully } }\n',
    );
    const plan = reconcile(load(text.replace('interval: 1s', 'interval: 2s')), up(text));
    expect(ids(plan).slice(0, 2)).toEqual(['remove:hello-web-1', 'start:hello-web-1']);
  });
});
