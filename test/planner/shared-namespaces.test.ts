// pid, ipc, uts, cgroup and volumes_from in the plan: a service joining another's pid or
// ipc namespace starts after it (its spawn needs the other's PID, so the start waits, not
// just the command) and is replaced with it (the kernel ends a pid namespace with its
// init); volumes_from gives the container the other's volumes and binds at the same
// targets, read-only with :ro; links write the alias into /etc/hosts. Golden:
// golden/shared-namespaces.txt.

import { describe, expect, it } from 'vitest';
import { reconcile } from '../../planner/plan/reconcile.js';
import { planToText } from '../../model/plan-text.js';
import type { Operation } from '../../model/plan.js';
import { applied, load, observed } from './reconcile-fixtures.js';
import { planProblems } from './helpers.js';

const file = `name: hello
services:
  db:
    image: stack.local/busybox:latest
    command: sleep 1000
    environment: { V: "1" }
    volumes: [data:/data, ./conf:/conf, /scratch]
    tmpfs: [/tmp]
  app:
    image: stack.local/busybox:latest
    command: sleep 1000
    pid: service:db
    ipc: service:db
    volumes_from: ["db:ro"]
    volumes: [./own:/conf]
    links: ["db:database"]
  host:
    image: stack.local/busybox:latest
    command: sleep 1000
    pid: host
    ipc: host
    uts: host
    cgroup: host
volumes:
  data:
`;

type Start = Extract<Operation, { kind: 'container.start' }>;
const start = (ops: Operation[], name: string) => ops.find((o): o is Start => o.id === `start:hello-${name}-1`)!;

describe('shared namespaces in the plan', () => {
  const first = reconcile(load(file), observed());

  it('first up: the joining service starts after the owner, not only its command', async () => {
    expect(start(first.operations, 'app').after).toContain('start:hello-db-1');
    expect(start(first.operations, 'app').releaseAfter ?? []).not.toContain('start:hello-db-1');
    // volumes_from alone waits for the start too: the owner's first mount fills its volumes.
    const fromOnly = reconcile(load(file.replace('    pid: service:db\n    ipc: service:db\n', '')), observed());
    expect(start(fromOnly.operations, 'app').after).toContain('start:hello-db-1');
    await expect(planToText(first)).toMatchFileSnapshot('golden/shared-namespaces.txt');
  });

  it('names the owner by its container, as network_mode does; the owner is shareable', () => {
    expect(start(first.operations, 'db').container.namespaces).toEqual({ ipc: 'shareable' });
    expect(start(first.operations, 'app').container.namespaces).toEqual({
      pid: 'container:hello-db-1',
      ipc: 'container:hello-db-1',
    });
    expect(start(first.operations, 'host').container.namespaces).toEqual({
      pid: 'host',
      ipc: 'host',
      uts: 'host',
      cgroup: 'host',
    });
  });

  it("volumes_from mounts the owner's volumes and binds read-only, never its tmpfs; own targets win", () => {
    const mounts = start(first.operations, 'app').container.mounts;
    const db = start(first.operations, 'db').container.mounts;
    expect(mounts.map((m) => [m.target, m.type, m.readOnly])).toEqual([
      ['/conf', 'bind', false],
      ['/data', 'volume', true],
      ['/scratch', 'volume', true],
    ]);
    expect(mounts.find((m) => m.target === '/conf')!.source).toMatch(/\/own$/);
    // The anonymous volume is the owner's own, not one of app's.
    expect(mounts.find((m) => m.target === '/scratch')!.source).toBe(db.find((m) => m.target === '/scratch')!.source);
  });

  it('a replaced owner replaces the service sharing its namespaces', () => {
    const state = applied(first, observed());
    const plan = reconcile(load(file.replace('V: "1"', 'V: "2"')), state);
    expect(plan.operations.map((o) => `${o.id}: ${o.cause}`)).toContain(
      'start:hello-app-1: it shares the pid and ipc namespaces of service db, which is replaced',
    );
    expect(start(plan.operations, 'app').after).toContain('start:hello-db-1');
  });

  it('writing cgroup: private, the default, recreates nothing', () => {
    const state = applied(first, observed());
    const edited = file.replace(
      '    command: sleep 1000\n    pid: service:db\n',
      '    command: sleep 1000\n    cgroup: private\n    pid: service:db\n',
    );
    expect(load(edited).services.find((s) => s.name === 'app')!.namespaces?.cgroup).toBe('private');
    expect(reconcile(load(edited), state).operations).toEqual([]);
  });

  it('changing a mode recreates the container', () => {
    const state = applied(first, observed());
    const plan = reconcile(load(file.replace('    cgroup: host\n', '')), state);
    expect(plan.operations.map((o) => o.id)).toEqual([
      'start:hello-host-1.b',
      'ready:hello-host-1.b',
      'remove:hello-host-1',
    ]);
  });

  it("links: the alias and the service name in /etc/hosts, at the linked container's address", () => {
    const db = start(first.operations, 'db').container.endpoints[0]!.ip;
    expect(start(first.operations, 'app').container.hosts).toContainEqual({ ip: db, names: ['database', 'db'] });
  });

  it("volumes_from container:NAME takes a container of this stack; another stack's is a plan-time error naming the fix", () => {
    const own = file.replace('volumes_from: ["db:ro"]', 'volumes_from: ["container:hello-db-1:ro"]');
    expect(start(reconcile(load(own), observed()).operations, 'app').container.mounts.map((m) => m.target)).toEqual([
      '/conf',
      '/data',
      '/scratch',
    ]);
    const foreign = file.replace('volumes_from: ["db:ro"]', 'volumes_from: ["container:other-db-1"]');
    expect(planProblems(() => reconcile(load(foreign), observed()))).toEqual([
      "service app: volumes_from container:other-db-1 names no container of stack hello; stack shares volumes within one stack only: declare a named volume (external: true in the other stack's file) and mount it in both",
    ]);
  });
});
