// Golden tests of reconcile() for edits to a running stack: a network change, scaling a
// service up and down, a removed service, a dependency with `restart: true`, shared
// namespaces, the up options (--no-recreate, SERVICE…, --no-deps, --scale), and an
// invalid edit (diagnostics, no plan). Update with `npx vitest run -u`.

import { describe, expect, it } from 'vitest';
import { reconcile, type ReconcileOptions } from '../../planner/plan/reconcile.js';
import { planToText } from '../../model/plan-text.js';
import { PlanError } from '../../planner/plan/plan-error.js';
import { StackFileError } from '../../model/diagnostics.js';
import type { Observed } from '../../model/observed.js';
import type { Stack } from '../../model/types.js';
import { renderDiagnostics } from '../../cli/render-diagnostics.js';
import { applied, hello, load, observed } from './reconcile-fixtures.js';

/** The file's Stack with typed changes the loader does not parse yet (scale, network_mode). */
type Tweak = (stack: Stack) => void;
const stackOf = (text: string | Stack, tweak?: Tweak): Stack => {
  if (typeof text !== 'string') return text;
  const stack = load(text);
  tweak?.(stack);
  return stack;
};
const service = (stack: Stack, name: string) => stack.services.find((s) => s.name === name)!;

/** The host after `up` of `text` on an empty host. */
function running(text: string | Stack, opts: ReconcileOptions = {}): Observed {
  return applied(reconcile(stackOf(text), observed(), opts), observed());
}

const ids = (text: string | Stack, state: Observed, opts: ReconcileOptions = {}) =>
  reconcile(stackOf(text), state, opts)
    .operations.filter((o) => o.kind.startsWith('container.'))
    .map((o) => o.id);

const workersFile = `name: hello
services:
  db:
    image: stack.local/busybox:latest
    command: sleep 1000
  worker:
    image: stack.local/busybox:latest
    command: sleep 1000
    depends_on: [db]
`;
const workers = (replicas: number) => stackOf(workersFile, (s) => (service(s, 'worker').replicas = replicas));

const withDeps = `name: hello
services:
  db:
    image: stack.local/busybox:latest
    command: sleep 1000
    environment: { V: "1" }
  api:
    image: stack.local/busybox:latest
    command: sleep 1000
    depends_on:
      db: { condition: service_started, restart: true }
  report:
    image: stack.local/busybox:latest
    command: sleep 1000
    depends_on: [db]
`;

describe('reconcile edits', () => {
  it('a network change recreates the bridge and reattaches its containers', async () => {
    const state = running(hello);
    const edited = `${hello}networks:\n  default:\n    ipam:\n      config: [{ subnet: 10.123.7.0/24 }]\n`;
    await expect(planToText(reconcile(load(edited), state))).toMatchFileSnapshot('golden/network-change.txt');
  });

  it('scale 1 → 3 adds replicas 2 and 3 and leaves replica 1 alone', async () => {
    const plan = reconcile(workers(3), running(workers(1)));
    expect(plan.operations.map((o) => o.id)).toEqual(['start:hello-worker-2', 'start:hello-worker-3']);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/scale-up.txt');
  });

  it('scale 3 → 1 removes the highest numbers first and leaves replica 1 alone', async () => {
    const plan = reconcile(workers(1), running(workers(3)));
    expect(plan.operations.map((o) => `${o.id} after ${o.after.join(',')}`)).toEqual([
      'remove:hello-worker-3 after ',
      'remove:hello-worker-2 after remove:hello-worker-3',
    ]);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/scale-down.txt');
  });

  it('all replicas of a service share one config hash', () => {
    const plan = reconcile(workers(3), observed());
    const hashes = plan.operations.flatMap((o) =>
      o.kind === 'container.start' && o.container.service === 'worker' ? [o.container.hash] : [],
    );
    expect(hashes).toHaveLength(3);
    expect(new Set(hashes).size).toBe(1);
  });

  it('up --scale overrides the file, and a replica with a fixed host port is a problem', () => {
    expect(ids(workers(1), running(workers(1)), { scale: { worker: 2 } })).toEqual(['start:hello-worker-2']);
    expect(() => reconcile(load(hello), observed(), { scale: { web: 2 } })).toThrow(
      /service web: 2 replicas cannot share host port 8080\/tcp/,
    );
    expect(() => reconcile(load(hello), observed(), { scale: { nope: 2 } })).toThrow(
      /--scale nope=…: the stack file has no service nope/,
    );
  });

  it('a removed service is an orphan: a note by default, removed with --remove-orphans', async () => {
    const state = running(hello);
    const onlyWeb = hello.slice(0, hello.indexOf('  client:'));
    const text =
      planToText(reconcile(load(onlyWeb), state)) +
      planToText(reconcile(load(onlyWeb), state, { removeOrphans: true }));
    await expect(text).toMatchFileSnapshot('golden/orphan.txt');
  });

  it('an extra_hosts change recreates only that service; the others keep their containers', () => {
    const edited = withDeps.replace(
      '    environment: { V: "1" }',
      '    environment: { V: "1" }\n    extra_hosts: ["registry.local:10.9.8.7"]',
    );
    expect(edited).not.toBe(withDeps);
    const plan = reconcile(load(edited), running(withDeps));
    const changed = plan.operations.filter((o) => o.kind.startsWith('container.')).map((o) => o.id);
    expect(changed).toEqual([
      'start:hello-db-1.b',
      'ready:hello-db-1.b',
      'remove:hello-db-1',
      'remove:hello-api-1',
      'start:hello-api-1',
    ]);
    expect(reconcile(load(edited), applied(plan, running(withDeps))).operations).toEqual([]);
  });

  it('a changed dependency restarts only the dependents that ask for it (restart: true)', async () => {
    const plan = reconcile(load(withDeps.replace('V: "1"', 'V: "2"')), running(withDeps));
    expect(plan.operations.map((o) => o.id)).toEqual([
      'start:hello-db-1.b',
      'ready:hello-db-1.b',
      'remove:hello-db-1',
      'remove:hello-api-1',
      'start:hello-api-1',
    ]);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/dependency-restart.txt');
  });

  it('a service sharing the network namespace of a replaced service is replaced with it', () => {
    const shared = `${withDeps}  sidecar:\n    image: stack.local/busybox:latest\n    command: sleep 1000\n`;
    const sidecar: Tweak = (s) => Object.assign(service(s, 'sidecar'), { networkMode: 'service:report', networks: [] });
    const state = running(stackOf(shared, sidecar));
    const plan = reconcile(
      stackOf(shared.replace('depends_on: [db]', 'depends_on: [db]\n    environment: { X: "1" }'), sidecar),
      state,
    );
    expect(plan.operations.map((o) => `${o.id}: ${o.cause}`)).toEqual([
      'remove:hello-report-1: configuration of service report changed',
      'start:hello-report-1: configuration of service report changed',
      'remove:hello-sidecar-1: it shares the network namespace of service report, which is replaced',
      'start:hello-sidecar-1: it shares the network namespace of service report, which is replaced',
    ]);
    expect(plan.operations.find((o) => o.id === 'start:hello-sidecar-1')?.after).toContain('start:hello-report-1');
  });

  it('--no-recreate keeps a changed running container and says so', () => {
    const plan = reconcile(load(withDeps.replace('V: "1"', 'V: "2"')), running(withDeps), { noRecreate: true });
    expect(plan.operations).toEqual([]);
    expect(plan.notes).toEqual(['configuration of service db changed, but --no-recreate keeps hello-db-1 as it is']);
  });

  it('up SERVICE… starts those and their dependencies; --no-deps only those', () => {
    expect(ids(withDeps, observed(), { services: ['api'] })).toEqual(['start:hello-db-1', 'start:hello-api-1']);
    expect(ids(withDeps, observed(), { services: ['api'], noDeps: true })).toEqual(['start:hello-api-1']);
    expect(() => reconcile(load(withDeps), observed(), { services: ['apj'] })).toThrow(PlanError);
    expect(() => reconcile(load(withDeps), observed(), { services: ['apj'] })).toThrow(
      /service apj is not in the stack file.*did you mean "api"/,
    );
  });

  it('a fixed address that changes recreates the container', () => {
    const fixed = `${hello.replace('    ports: ["8080:80"]\n', '    ports: ["8080:80"]\n    networks:\n      default: { ipv4_address: 10.123.9.5 }\n')}networks:\n  default:\n    ipam:\n      config: [{ subnet: 10.123.9.0/24 }]\n`;
    const plan = reconcile(load(fixed.replace('10.123.9.5', '10.123.9.6')), running(fixed));
    expect(plan.operations.find((o) => o.id === 'start:hello-web-1')?.cause).toBe(
      'address of hello-web-1 on network default changes from 10.123.9.5 to 10.123.9.6',
    );
  });

  it('a veth deleted behind its back is drift: that container is recreated', () => {
    const state = running(hello);
    state.containers[0] = {
      ...state.containers[0]!,
      endpoints: state.containers[0]!.endpoints.map((e) => ({ ...e, present: false })),
    };
    expect(reconcile(load(hello), state).operations.map((o) => `${o.id}: ${o.cause}`)).toEqual([
      `remove:hello-web-1: drift: veth ${state.containers[0]!.endpoints[0]!.hostVeth} of hello-web-1 on network default is missing on the host`,
      `start:hello-web-1: drift: veth ${state.containers[0]!.endpoints[0]!.hostVeth} of hello-web-1 on network default is missing on the host`,
    ]);
  });

  it('an invalid edit yields diagnostics and no plan', async () => {
    const broken = hello
      .replace('command: httpd -f -p 80 -h /www', 'comand: httpd -f -p 80 -h /www')
      .replace('"8080:80"', '"80800:80"');
    let error: unknown;
    try {
      load(broken);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(StackFileError);
    await expect(renderDiagnostics((error as StackFileError).diagnostics) + '\n').toMatchFileSnapshot(
      'golden/invalid-edit.txt',
    );
  });
});

describe('containers stopped on purpose (stack stop, Ctrl-C of an attached up)', () => {
  const stopped = (o: ReturnType<typeof running>) => ({
    ...o,
    containers: o.containers.map((c) => ({ ...c, running: false, stopped: true })),
  });
  it('up starts an unchanged one again as it is, and replaces a changed one', () => {
    const state = stopped(running(withDeps));
    expect(reconcile(load(withDeps), state).operations.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['container.resume']),
    );
    expect(
      reconcile(load(withDeps), state).operations.some(
        (o) => o.kind === 'container.start' || o.kind === 'container.remove',
      ),
    ).toBe(false);
    const changed = reconcile(load(withDeps.replace('V: "1"', 'V: "2"')), state);
    expect(changed.operations.find((o) => o.id === 'start:hello-db-1')?.cause).toBe(
      'configuration of service db changed while hello-db-1 was stopped',
    );
  });

  it('--force-recreate replaces them anyway; --no-recreate starts a changed one again as it is, and says so', () => {
    const state = stopped(running(withDeps));
    const forced = reconcile(load(withDeps), state, { forceRecreate: true });
    expect(forced.operations.some((o) => o.kind === 'container.resume')).toBe(false);
    expect(forced.operations.find((o) => o.id === 'start:hello-db-1')?.cause).toBe(
      '--force-recreate (hello-db-1 was stopped)',
    );
    const kept = reconcile(load(withDeps.replace('V: "1"', 'V: "2"')), state, { noRecreate: true });
    expect(kept.operations.map((o) => o.id)).toContain('resume:hello-db-1');
    expect(kept.notes).toContain(
      'configuration of service db changed, but --no-recreate starts hello-db-1 again as it is',
    );
  });
});
