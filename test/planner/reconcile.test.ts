// Golden tests of reconcile(): the plan text for a given file and observed host state is
// compared with a checked-in file under golden/ (update with `npx vitest run -u`).

import { describe, expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import { teardown } from '../../planner/plan/teardown.js';
import { planToText } from '../../model/plan-text.js';
import { PlanError } from '../../planner/plan/plan-error.js';
import { applied, hello, load, observed } from './reconcile-fixtures.js';

describe('reconcile', () => {
  it('first up: network, NAT, then web before client', async () => {
    await expect(planToText(reconcile(load(hello), observed()))).toMatchFileSnapshot('golden/first-up.txt');
  });

  it('no change: nothing to do', () => {
    const first = reconcile(load(hello), observed());
    const plan = reconcile(load(hello), applied(first, observed()));
    expect(planToText(plan)).toBe('plan for hello: nothing to do\n');
  });

  it('an env change replaces only that service: the new container starts beside the old one, which goes once the new one runs', async () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    const edited = hello.replace('    depends_on: [web]\n', '    depends_on: [web]\n    environment: { MODE: fast }\n');
    const plan = reconcile(load(edited), state);
    expect(plan.operations.map((o) => o.id)).toEqual([
      'start:hello-client-1.b',
      'ready:hello-client-1.b',
      'remove:hello-client-1',
    ]);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/env-change.txt');
    // Applied, nothing is left to do; the next change goes back to the slot's own name.
    const after = applied(plan, state);
    expect(reconcile(load(edited), after).operations).toEqual([]);
    const again = reconcile(load(hello), after);
    expect(again.operations.map((o) => o.id)).toEqual([
      'start:hello-client-1',
      'ready:hello-client-1',
      'remove:hello-client-1.b',
    ]);
    expect(reconcile(load(hello), applied(again, after)).operations).toEqual([]);
  });

  it('a port change reapplies NAT and keeps the containers', async () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    const plan = reconcile(load(hello.replace('8080:80', '9090:80')), state);
    expect(plan.operations.map((o) => o.id)).toEqual(['nat']);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/port-change.txt');
  });

  it('a removed service is an orphan: kept with a note, removed with --remove-orphans', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    const onlyWeb = hello.slice(0, hello.indexOf('  client:'));
    expect(reconcile(load(onlyWeb), state).notes[0]).toMatch(/hello-client-1 .* --remove-orphans/);
    expect(reconcile(load(onlyWeb), state, { removeOrphans: true }).operations.map((o) => o.id)).toEqual([
      'remove:hello-client-1',
    ]);
  });

  it('COMPOSE_IGNORE_ORPHANS (ignoreOrphans): the orphan is kept without the note', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    const onlyWeb = hello.slice(0, hello.indexOf('  client:'));
    const plan = reconcile(load(onlyWeb), state, { ignoreOrphans: true });
    expect(plan.notes.filter((n) => n.includes('orphans'))).toEqual([]);
    expect(plan.operations).toEqual([]);
  });

  it('a new container never takes the address of an orphan, kept or being removed', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    const ipOf = (name: string) => state.containers.find((c) => c.name === name)!.endpoints[0]!.ip;
    const taken = [ipOf('hello-client-1'), ipOf('hello-web-1')];
    // client leaves the file, cache arrives.
    const edited =
      hello.slice(0, hello.indexOf('  client:')) +
      '  cache:\n    image: stack.local/busybox:latest\n    command: sleep 1000\n';
    for (const removeOrphans of [false, true]) {
      const plan = reconcile(load(edited), state, { removeOrphans });
      const cache = plan.operations.flatMap((o) => (o.kind === 'container.start' ? [o.container] : []));
      expect(cache.map((c) => c.name)).toEqual(['hello-cache-1']);
      expect(taken).not.toContain(cache[0]!.endpoints[0]!.ip);
    }
  });

  it('restarts a container that died', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    state.containers[0] = { ...state.containers[0], running: false, exitCode: 137 };
    const plan = reconcile(load(hello), state);
    expect(plan.operations.map((o) => `${o.id}: ${o.cause}`)).toEqual([
      'remove:hello-web-1: drift: container hello-web-1 is not running (exited with 137)',
      'start:hello-web-1: drift: container hello-web-1 is not running (exited with 137)',
    ]);
  });

  it('repairs a bridge deleted behind its back and rewires its containers', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    state.networks[0] = { ...state.networks[0], linkPresent: false };
    state.containers[0] = { ...state.containers[0], running: false, exitCode: 137 };
    const plan = reconcile(load(hello), state);
    expect(plan.operations.find((o) => o.kind === 'network.create')?.cause).toMatch(
      /missing or misconfigured on the host/,
    );
    // Both containers hang off the recreated bridge, so both are rewired.
    expect(plan.operations.find((o) => o.id === 'start:hello-web-1')?.cause).toMatch(/network default is recreated/);
    expect(plan.operations.find((o) => o.id === 'start:hello-client-1')?.cause).toMatch(/network default is recreated/);
  });

  it('a port without a host port gets a free one of the ephemeral range, kept on the next apply', () => {
    const file = load(hello.replace('"8080:80"', '"80"'));
    const busy = [
      { protocol: 'tcp' as const, ip: '0.0.0.0', port: 32768 },
      { protocol: 'tcp' as const, ip: '127.0.0.1', port: 32770 },
    ];
    const plan = reconcile(
      file,
      observed({ hostPorts: busy, foreignPorts: [{ protocol: 'tcp', port: 32769, project: 'other', service: 'web' }] }),
    );
    const nat = plan.operations.find((o) => o.kind === 'nat.apply');
    const ports = nat && nat.kind === 'nat.apply' ? nat.nat.ports : [];
    expect(ports.map((p) => [p.hostPort, p.containerPort])).toEqual([[32771, 80]]);
    expect(plan.notes).toEqual([]);
    // Applied: the next plan keeps that port even though a lower one is free now.
    const next = applied(plan, observed());
    next.nat = { ...next.nat!, ports };
    expect(reconcile(file, next).operations).toEqual([]);
  });

  it('a missing image is a PlanError naming the service and the fix', () => {
    expect(() => reconcile(load(hello), { ...observed(), images: [] })).toThrow(PlanError);
    try {
      reconcile(load(hello), { ...observed(), images: [] });
    } catch (err) {
      expect((err as PlanError).problems).toHaveLength(2);
      expect((err as PlanError).problems[0]).toMatch(
        /service client: image stack.local\/busybox:latest is not in the local store; import it/,
      );
    }
  });

  it('down removes containers first, then NAT and network, then the records', async () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    await expect(planToText(teardown(state, { timeoutSeconds: 3 }))).toMatchFileSnapshot('golden/down.txt');
  });
});
