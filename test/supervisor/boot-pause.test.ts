// Restart policies while `stack boot` runs (supervisor/boot.ts): a restart pending when the
// boot starts, or an exit during it, waits; afterwards it goes ahead unless the boot started
// that container itself. A container that died while no supervisor ran (adopted, exit code
// unknown) is the boot's alone to decide: without the pause its restart raced the boot's
// start and ran a second copy (test/integration/boot.test.ts shows it on the kernel).

import { describe, expect, it } from 'vitest';
import { FakeHost } from '../../executor/fake-host.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec } from '../../model/plan.js';
import type { RestartPolicyName } from '../../model/types.js';
import { EventBus } from '../../supervisor/events.js';
import { Lifecycle } from '../../supervisor/lifecycle.js';
import { FakeClock } from '../support/fake-clock.js';

const spec = (service: string, restart: RestartPolicyName): ContainerSpec => ({
  ...defaultRuntimeOptions(),
  project: 'p',
  service,
  name: `p-${service}-1`,
  hostname: service,
  image: { ref: 'r', id: 'i', layers: [] },
  argv: ['sh'],
  env: [],
  cwd: '/',
  hosts: [],
  endpoints: [],
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 3,
  hash: 'h',
  restart: { name: restart },
  networkMode: 'none',
});

async function setUp(restart: RestartPolicyName) {
  const host = new FakeHost();
  const clock = new FakeClock();
  const lifecycle = new Lifecycle({ project: 'p', host, clock, events: new EventBus(), log: () => {} });
  const s = spec('web', restart);
  await host.state.saveContainer('p', { spec: s, status: 'running', pid: 7, startTime: 1 });
  const spawns = () => host.calls.filter((c) => c === `containers.spawn ${s.name}`).length;
  /** Lets the exit handler's awaits settle. */
  const settle = () => clock.advance(0);
  return { host, clock, lifecycle, s, spawns, settle };
}

describe('restart policies during stack boot', () => {
  it('a pending restart waits for the boot, then goes ahead when the boot left the container down', async () => {
    const { host, clock, lifecycle, s, spawns, settle } = await setUp('on-failure');
    host.emitExit({ project: 'p', name: s.name, exitCode: 1, pid: 7 });
    await settle();
    await lifecycle.pauseRestarts();
    await clock.advance(5000);
    expect(spawns()).toBe(0);
    await lifecycle.resumeRestarts();
    await clock.advance(5000);
    expect(spawns()).toBe(1);
  });

  it('an exit during the boot is not restarted twice when the boot started the container itself', async () => {
    const { host, clock, lifecycle, s, spawns, settle } = await setUp('always');
    await lifecycle.pauseRestarts();
    host.emitExit({ project: 'p', name: s.name, exitCode: 137, pid: 7 });
    await settle();
    // The boot starts it again: a new process in its record.
    await host.state.updateContainer('p', s.name, (r) => ({ ...r, status: 'running', pid: 8 }));
    await lifecycle.resumeRestarts();
    await clock.advance(5000);
    expect(spawns()).toBe(0);
  });

  it('a container that died while no supervisor ran is left to the boot (on-failure: not restarted)', async () => {
    const { host, clock, lifecycle, s, spawns, settle } = await setUp('on-failure');
    await lifecycle.pauseRestarts();
    host.emitExit({ project: 'p', name: s.name, exitCode: -1, pid: 7 });
    await settle();
    await lifecycle.resumeRestarts();
    await clock.advance(5000);
    expect(spawns()).toBe(0);
  });

  it('without a boot the same exit restarts as before', async () => {
    const { host, clock, s, spawns, settle } = await setUp('on-failure');
    host.emitExit({ project: 'p', name: s.name, exitCode: -1, pid: 7 });
    await settle();
    await clock.advance(5000);
    expect(spawns()).toBe(1);
  });
});
