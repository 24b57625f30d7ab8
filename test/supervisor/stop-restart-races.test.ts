// A deliberate stop and the restart policy meeting each other: a `stack stop`, `restart`,
// `start` or `down` that arrives while the policy restarts a container, or while it waits
// out the backoff before that. FakeHost plays the kernel (a spawn is a live process, a stop
// ends it and reports its exit, as the Linux host does); a fake clock moves the backoff.
// Whatever the order, one copy at most runs, and a stopped container stays stopped.

import { describe, expect, it } from 'vitest';
import { execute } from '../../executor/execute.js';
import { FakeHost } from '../../executor/fake-host.js';
import { silentReporter } from '../../executor/reporter.js';
import type { ContainerSpec, Operation } from '../../model/plan.js';
import { RecordWriteError } from '../../store/record-errors.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import { EventBus, type LifecycleEvent } from '../../supervisor/events.js';
import { Lifecycle } from '../../supervisor/lifecycle.js';
import { FakeClock } from '../support/fake-clock.js';

const NAME = 'p-web-1';

const spec: ContainerSpec = {
  ...defaultRuntimeOptions(),
  project: 'p',
  service: 'web',
  name: NAME,
  hostname: 'web',
  image: { ref: 'r', id: 'i', layers: [] },
  argv: ['sh'],
  env: [],
  cwd: '/',
  hosts: [],
  endpoints: [],
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 10,
  hash: 'h',
  restart: { name: 'always' },
};

/** A promise the test settles by hand: a step of the host held in the middle. */
function gate(): { wait: Promise<void>; open: () => void } {
  let open = () => {};
  const wait = new Promise<void>((resolve) => (open = resolve));
  return { wait, open };
}

/**
 * FakeHost with processes: spawn makes one live, stop ends every live one of the container
 * and reports each exit (143, as SIGTERM ends it). `holdPrepare` / `holdStop` keep the next
 * prepare (a restart under way) or stop (a grace period) until the test opens them.
 */
function processHost() {
  const host = new FakeHost();
  const live = new Set<number>();
  const spawned: number[] = [];
  const held: { prepare?: Promise<void>; stop?: Promise<void> } = {};
  const { prepare, spawn, stop } = host.containers;
  host.containers.prepare = async (s) => {
    const hold = held.prepare;
    held.prepare = undefined;
    await hold;
    await prepare(s);
  };
  host.containers.spawn = async (s) => {
    const p = await spawn(s);
    live.add(p.pid);
    spawned.push(p.pid);
    return p;
  };
  host.containers.stop = async (project, name, signal, grace) => {
    await stop(project, name, signal, grace);
    const hold = held.stop;
    held.stop = undefined;
    await hold;
    for (const pid of [...live]) {
      live.delete(pid);
      host.emitExit({ project, name, exitCode: 143, pid });
    }
  };
  /** The container's process dies by itself. */
  const crash = (exitCode = 1) => {
    for (const pid of [...live]) {
      live.delete(pid);
      host.emitExit({ project: 'p', name: NAME, exitCode, pid });
    }
  };
  const holdPrepare = () => {
    const g = gate();
    held.prepare = g.wait;
    return g.open;
  };
  const holdStop = () => {
    const g = gate();
    held.stop = g.wait;
    return g.open;
  };
  return { host, live, spawned, crash, holdPrepare, holdStop };
}

/** A stack of one running container under `restart: always`, and its supervisor's lifecycle. */
async function running() {
  const clock = new FakeClock();
  const fake = processHost();
  const events: LifecycleEvent[] = [];
  const bus = new EventBus();
  bus.subscribe((e) => events.push(e));
  const lifecycle = new Lifecycle({ project: 'p', host: fake.host, clock, events: bus, log: () => {} });
  const { pid } = await fake.host.containers.spawn(spec);
  await fake.host.state.saveContainer('p', {
    spec,
    status: 'running',
    pid,
    startTime: 1,
    startedAt: new Date(clock.now()).toISOString(),
  });
  await lifecycle.watch([NAME]);
  const record = () => fake.host.state.loadContainer('p', NAME);
  const run = (...operations: Operation[]) =>
    execute({ project: 'p', operations, notes: [] }, fake.host, silentReporter, { hooks: lifecycle.hooks });
  return { clock, lifecycle, events, record, run, ...fake };
}

const stopOp: Operation = {
  kind: 'container.stop',
  id: `stop:${NAME}`,
  cause: 'stop',
  after: [],
  project: 'p',
  name: NAME,
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 10,
};
const resumeOp = (after: string[] = []): Operation => ({
  kind: 'container.resume',
  id: `resume:${NAME}`,
  cause: 'start',
  after,
  project: 'p',
  name: NAME,
});
const removeOp: Operation = {
  kind: 'container.remove',
  id: `remove:${NAME}`,
  cause: 'down',
  after: [],
  project: 'p',
  name: NAME,
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 10,
  hostVeths: [],
};

/** Long past any backoff: whatever the restart policy still meant to do has been done. */
const LONG_MS = 10 * 60_000;

describe('a stop arriving while the restart policy restarts a container', () => {
  it('keeps it stopped once the restart is done, with no second copy', async () => {
    const s = await running();
    s.crash();
    const openPrepare = s.holdPrepare();
    await s.clock.advance(100);
    // The restart is under way (held before its spawn) when `stack stop` comes.
    const stopping = s.run(stopOp);
    await s.clock.advance(0);
    openPrepare();
    await stopping;
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(0);
    expect(await s.record()).toMatchObject({ status: 'exited', stopped: true });
    expect(s.spawned).toHaveLength(2);
  });

  it('keeps it stopped when the stop comes while its exit is being handled', async () => {
    const s = await running();
    s.crash();
    await s.run(stopOp);
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(0);
    expect(s.spawned).toHaveLength(1);
    expect(await s.record()).toMatchObject({ status: 'exited', stopped: true });
  });
});

describe('a restart arriving during a stop', () => {
  it("an exit in the stop's grace period restarts nothing", async () => {
    const s = await running();
    const openStop = s.holdStop();
    const stopping = s.run(stopOp);
    await s.clock.advance(0);
    // It dies by itself before the stop signal's grace is over.
    s.crash(137);
    await s.clock.advance(LONG_MS);
    openStop();
    await stopping;
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(0);
    expect(s.spawned).toHaveLength(1);
    expect(await s.record()).toMatchObject({ status: 'exited', stopped: true });
    expect(s.events.map((e) => e.type)).not.toContain('restart');
  });

  it('`stack restart` during a policy restart runs one copy, not stopped', async () => {
    const s = await running();
    s.crash();
    const openPrepare = s.holdPrepare();
    await s.clock.advance(100);
    const restarting = s.run(stopOp, resumeOp([stopOp.id]));
    await s.clock.advance(0);
    openPrepare();
    await restarting;
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(1);
    const record = await s.record();
    expect(record).toMatchObject({ status: 'running', pid: [...s.live][0] });
    expect(record?.stopped).toBeUndefined();
  });
});

describe('a requested start while the restart policy backs off', () => {
  it('`stack restart` starts it once; the pending policy restart does not start a second copy', async () => {
    const s = await running();
    s.crash();
    await s.clock.advance(0);
    await s.run(stopOp, resumeOp([stopOp.id]));
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(1);
    expect(s.spawned).toHaveLength(2);
    expect(await s.record()).toMatchObject({ status: 'running', pid: s.spawned[1] });
  });

  // A real race: the backoff's timer still fired after the requested start and ran a second copy.
  it('`stack start` starts it once; the pending policy restart does not start a second copy', async () => {
    const s = await running();
    s.crash();
    await s.clock.advance(0);
    // `start` resumes what is not running, without a stop first (lifecycle-plan.ts).
    await s.run(resumeOp());
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(1);
    expect(s.spawned).toHaveLength(2);
    expect(await s.record()).toMatchObject({ status: 'running', pid: s.spawned[1] });
  });
});

describe('a start after a stop', () => {
  it('ends the stop: the restart policy applies to its next exit again', async () => {
    const s = await running();
    await s.run(stopOp);
    await s.run(resumeOp());
    expect((await s.record())?.stopped).toBeUndefined();
    s.crash();
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(1);
    expect(s.spawned).toHaveLength(3);
  });
});

describe('down during a restart', () => {
  it('removes the container the restart was starting, and nothing comes back', async () => {
    const s = await running();
    s.crash();
    const openPrepare = s.holdPrepare();
    await s.clock.advance(100);
    const down = s.run(removeOp);
    await s.clock.advance(0);
    openPrepare();
    await down;
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(0);
    expect(await s.record()).toBeUndefined();
    const types = s.events.map((e) => e.type);
    expect(types.at(-1)).toBe('destroy');
    expect(types.slice(types.lastIndexOf('stop'))).not.toContain('restart');
  });

  it('during the backoff: nothing is restarted after it', async () => {
    const s = await running();
    s.crash();
    await s.clock.advance(0);
    await s.run(removeOp);
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(0);
    expect(s.spawned).toHaveLength(1);
    expect(await s.record()).toBeUndefined();
  });

  it('on a full STACK_ROOT, where the stop cannot be marked, still removes it and nothing comes back', async () => {
    const s = await running();
    s.host.state.updateContainer = async (_project, name) => {
      throw new RecordWriteError(`/stk/${name}.json`, 'ENOSPC', new Error('no space left on device'));
    };
    await s.run(removeOp);
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(0);
    expect(s.spawned).toHaveLength(1);
    expect(await s.record()).toBeUndefined();
  });
});

describe('after a supervisor crash', () => {
  it('a new supervisor does not restart an adopted container its record says was stopped', async () => {
    const s = await running();
    await s.host.state.updateContainer('p', NAME, (r) => ({ ...r, stopped: true }));
    // The next supervisor adopts it; the stop that marked it ends it (exit code unknown).
    const clock = new FakeClock();
    const next = processHost();
    await next.host.state.saveContainer('p', (await s.record())!);
    new Lifecycle({ project: 'p', host: next.host, clock, events: new EventBus(), log: () => {} });
    next.host.emitExit({ project: 'p', name: NAME, exitCode: -1, pid: s.spawned[0] });
    await clock.advance(LONG_MS);
    expect(next.spawned).toHaveLength(0);
    expect(await next.host.state.loadContainer('p', NAME)).toMatchObject({ status: 'exited', stopped: true });
  });

  it.each([{ stopped: false }, { stopped: true }])(
    'a new supervisor makes the restart an exited container was waiting for, unless it was stopped (stopped: $stopped)',
    async ({ stopped }) => {
      const clock = new FakeClock();
      const next = processHost();
      await next.host.state.saveContainer('p', {
        spec,
        status: 'exited',
        exitCode: 3,
        pid: 999,
        startTime: 1,
        ...(stopped ? { stopped } : {}),
      });
      const lifecycle = new Lifecycle({ project: 'p', host: next.host, clock, events: new EventBus(), log: () => {} });
      await lifecycle.takeOverRestarts([NAME]);
      await clock.advance(LONG_MS);
      expect(next.live.size).toBe(stopped ? 0 : 1);
      expect(next.spawned).toHaveLength(stopped ? 0 : 1);
    },
  );

  it('an exit handled twice (adopted and taken over) schedules one restart: one copy runs', async () => {
    const s = await running();
    s.crash();
    await s.clock.advance(0);
    await s.lifecycle.takeOverRestarts([NAME]);
    // The first restart is slow (held in prepare) while the second one's time comes.
    const openPrepare = s.holdPrepare();
    await s.clock.advance(1000);
    openPrepare();
    await s.clock.advance(LONG_MS);
    expect(s.live.size).toBe(1);
    expect(s.spawned).toHaveLength(2);
  });
});
