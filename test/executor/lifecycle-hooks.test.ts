// post_start and pre_stop hooks in the executor's sequence of host calls (against the
// recording FakeHost): post_start after the record says running and inside the start (a
// failure fails the operation), on a requested start of a stopped container too but not on
// a restart policy's; pre_stop before the stop's other steps, a failing one a warning of
// an operation that still stops the container.

import { describe, expect, it } from 'vitest';
import { applyOperation } from '../../executor/apply-operation.js';
import { FakeHost } from '../../executor/fake-host.js';
import { resumeContainer } from '../../executor/launch-container.js';
import { LifecycleHookError } from '../../executor/lifecycle-hooks.js';
import { plainSpec } from '../support/plain-spec.js';

const hook = (word: string) => ({ command: ['echo', word], privileged: false, environment: {} });
const spec = plainSpec('p', 'web', { postStart: [hook('one'), hook('two')], preStop: [hook('bye')] });
const start = { kind: 'container.start' as const, id: 'start', cause: 'c', after: [], container: spec };
const stop = { kind: 'container.stop' as const, id: 'stop', cause: 'c', after: [], project: 'p', name: 'p-web-1' };

describe('post_start', () => {
  it('runs each hook in order once the record says running, inside the start', async () => {
    const host = new FakeHost();
    await applyOperation(start, host);
    expect(host.calls.slice(-3)).toEqual([
      'state.updateContainer p-web-1 running',
      'containers.exec p-web-1 ["echo","one"]',
      'containers.exec p-web-1 ["echo","two"]',
    ]);
  });

  it('that fails fails the start, and the hooks after it do not run', async () => {
    const host = new FakeHost({ execExitCodes: { 'p-web-1': 3 } });
    await expect(applyOperation(start, host)).rejects.toThrow(LifecycleHookError);
    await expect(applyOperation(start, new FakeHost({ execExitCodes: { 'p-web-1': 3 } }))).rejects.toThrow(
      'p-web-1: post_start hook 1 exited with status 3',
    );
    expect(host.calls.filter((c) => c.startsWith('containers.exec'))).toHaveLength(1);
  });

  it('runs on a requested start of a stopped container, not on a restart by the policy', async () => {
    const host = new FakeHost();
    await applyOperation(start, host);
    const execs = () => host.calls.filter((c) => c.startsWith('containers.exec')).length;
    await resumeContainer('p', 'p-web-1', host, { byPolicy: true });
    expect(execs()).toBe(2);
    await resumeContainer('p', 'p-web-1', host);
    expect(execs()).toBe(4);
  });
});

describe('pre_stop', () => {
  const running = async (host: FakeHost) => {
    await host.state.saveContainer('p', { spec, status: 'running', pid: 1, startTime: 1 });
    host.calls.length = 0;
  };

  it('runs before the stop', async () => {
    const host = new FakeHost();
    await running(host);
    await applyOperation({ ...stop, stopSignal: 'SIGTERM', stopGraceSeconds: 10 }, host);
    const exec = host.calls.indexOf('containers.exec p-web-1 ["echo","bye"]');
    expect(exec).toBeGreaterThan(-1);
    expect(exec).toBeLessThan(host.calls.findIndex((c) => c.startsWith('containers.stop')));
  });

  it('thaws a paused container before its hooks (an exec into a frozen cgroup never returns)', async () => {
    const host = new FakeHost();
    await host.state.saveContainer('p', { spec, status: 'running', pid: 1, startTime: 1, paused: true });
    host.calls.length = 0;
    await applyOperation({ ...stop, stopSignal: 'SIGTERM', stopGraceSeconds: 10 }, host);
    const thaw = host.calls.indexOf('containers.freeze p-web-1 false');
    expect(thaw).toBeGreaterThan(-1);
    expect(thaw).toBeLessThan(host.calls.indexOf('containers.exec p-web-1 ["echo","bye"]'));
  });

  it('that fails is a warning, and the container is stopped anyway', async () => {
    const host = new FakeHost({ execExitCodes: { 'p-web-1': 2 } });
    await running(host);
    const warnings = await applyOperation({ ...stop, stopSignal: 'SIGTERM', stopGraceSeconds: 10 }, host);
    expect(warnings).toEqual(['p-web-1: pre_stop hook 1 exited with status 2; it was stopped anyway']);
    expect(host.calls.some((c) => c.startsWith('containers.stop'))).toBe(true);
  });

  it('does not run for a container that is not running', async () => {
    const host = new FakeHost();
    await host.state.saveContainer('p', { spec, status: 'exited', exitCode: 0 });
    await applyOperation({ ...stop, stopSignal: 'SIGTERM', stopGraceSeconds: 10 }, host);
    expect(host.calls.some((c) => c.startsWith('containers.exec'))).toBe(false);
  });
});
