// Golden tests of reconcile(): the plan text for a given file and observed host state is
// compared with a checked-in file under golden/ (update with `npx vitest run -u`).

import { describe, expect, it } from 'vitest';
import { loadStack } from '../../planner/load.js';
import { emptyObserved, type ImageInfo, type Observed } from '../../planner/observed.js';
import { reconcile } from '../../planner/reconcile.js';
import { teardown } from '../../planner/teardown.js';
import { planToText } from '../../planner/plan-text.js';
import { PlanError } from '../../planner/plan-error.js';
import type { Plan } from '../../planner/plan.js';

const image: ImageInfo = {
  ref: 'stack.local/busybox:latest',
  id: 'sha256:' + 'c'.repeat(64),
  layers: ['sha256:' + 'a'.repeat(64)],
  cmd: ['sh'],
  env: ['PATH=/usr/bin:/bin'],
};

const hello = `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: httpd -f -p 80 -h /www
    ports: ["8080:80"]
  client:
    image: stack.local/busybox:latest
    depends_on: [web]
    command: ["sh", "-c", "wget -qO- http://web/"]
`;

function load(text: string) {
  return loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/work/hello', env: {} });
}

function observed(extra: Partial<Observed> = {}): Observed {
  return { ...emptyObserved('hello'), images: [image], takenSubnets: ['192.0.2.0/24', '10.123.0.0/24'], ...extra };
}

/** What the host looks like after applying `plan` successfully. */
function applied(plan: Plan, base: Observed): Observed {
  const next: Observed = { ...base, containers: [...base.containers], networks: [...base.networks] };
  for (const op of plan.operations) {
    if (op.kind === 'network.create') next.networks.push({ ...op.network, linkPresent: true });
    if (op.kind === 'nat.apply') next.nat = { table: op.nat.table, hash: op.nat.hash, present: true };
    if (op.kind === 'container.remove') next.containers = next.containers.filter((c) => c.name !== op.name);
    if (op.kind === 'container.start') {
      const c = op.container;
      next.containers.push({ name: c.name, service: c.service, hash: c.hash, running: true, pid: 100, stopSignal: c.stopSignal, stopGraceSeconds: c.stopGraceSeconds, endpoints: c.endpoints.map((e) => ({ network: e.network, ip: e.ip, hostVeth: e.hostVeth })) });
    }
  }
  return next;
}

describe('reconcile', () => {
  it('first up: network, NAT, then web before client', async () => {
    await expect(planToText(reconcile(load(hello), observed()))).toMatchFileSnapshot('golden/first-up.txt');
  });

  it('no change: nothing to do', () => {
    const first = reconcile(load(hello), observed());
    const plan = reconcile(load(hello), applied(first, observed()));
    expect(planToText(plan)).toBe('plan for hello: nothing to do\n');
  });

  it('an env change recreates only that service and keeps its address', async () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    const edited = hello.replace('    depends_on: [web]\n', '    depends_on: [web]\n    environment: { MODE: fast }\n');
    const plan = reconcile(load(edited), state);
    expect(plan.operations.map((o) => o.id)).toEqual(['remove:hello-client-1', 'start:client']);
    await expect(planToText(plan)).toMatchFileSnapshot('golden/env-change.txt');
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
    expect(reconcile(load(onlyWeb), state, { removeOrphans: true }).operations.map((o) => o.id)).toEqual(['remove:hello-client-1']);
  });

  it('restarts a container that died', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    state.containers[0] = { ...state.containers[0], running: false, exitCode: 137 };
    const plan = reconcile(load(hello), state);
    expect(plan.operations.map((o) => `${o.id}: ${o.cause}`)).toEqual([
      'remove:hello-web-1: container hello-web-1 is not running (exited with 137)',
      'start:web: container hello-web-1 is not running (exited with 137)',
    ]);
  });

  it('repairs a bridge deleted behind its back and rewires its containers', () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    state.networks[0] = { ...state.networks[0], linkPresent: false };
    state.containers[0] = { ...state.containers[0], running: false, exitCode: 137 };
    const plan = reconcile(load(hello), state);
    expect(plan.operations.find((o) => o.kind === 'network.create')?.cause).toMatch(/missing or misconfigured on the host/);
    // Both containers hang off the recreated bridge, so both are rewired.
    expect(plan.operations.find((o) => o.id === 'start:web')?.cause).toMatch(/network default is recreated/);
    expect(plan.operations.find((o) => o.id === 'start:client')?.cause).toMatch(/network default is recreated/);
  });

  it('a port without a host port is not published and the plan says so', () => {
    const plan = reconcile(load(hello.replace('"8080:80"', '"80"')), observed());
    const nat = plan.operations.find((o) => o.kind === 'nat.apply');
    expect(nat && nat.kind === 'nat.apply' ? nat.nat.ports : undefined).toEqual([]);
    expect(plan.notes).toEqual(['service web: port 80/tcp names no host port and is not published (random host ports are not supported yet); write "HOST:80"']);
  });

  it('a missing image is a PlanError naming the service and the fix', () => {
    expect(() => reconcile(load(hello), { ...observed(), images: [] })).toThrow(PlanError);
    try {
      reconcile(load(hello), { ...observed(), images: [] });
    } catch (err) {
      expect((err as PlanError).problems).toHaveLength(2);
      expect((err as PlanError).problems[0]).toMatch(/service client: image stack.local\/busybox:latest is not in the local store; import it/);
    }
  });

  it('down removes containers first, then NAT and network, then the records', async () => {
    const state = applied(reconcile(load(hello), observed()), observed());
    await expect(planToText(teardown(state, { timeoutSeconds: 3 }))).toMatchFileSnapshot('golden/down.txt');
  });
});
