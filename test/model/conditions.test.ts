// conditionState: when a container's record meets a depends_on condition or up --wait's
// "ready", and the reason when it never will.

import { describe, expect, it } from 'vitest';
import { conditionState } from '../../model/conditions.js';
import type { ContainerRecord } from '../../model/records.js';
import { defaultRuntimeOptions } from '../../planner/plan/container-spec.js';
import type { ContainerSpec } from '../../model/plan.js';

const spec = (healthcheck = true): ContainerSpec => ({
  ...defaultRuntimeOptions(),
  project: 'p',
  service: 'db',
  name: 'p-db-1',
  hostname: 'db',
  image: { ref: 'r', id: 'i', layers: [] },
  argv: ['sh'],
  env: [],
  cwd: '/',
  hosts: [],
  endpoints: [],
  stopSignal: 'SIGTERM',
  stopGraceSeconds: 10,
  hash: 'h',
  ...(healthcheck
    ? {
        healthcheck: {
          test: ['CMD', 'true'],
          intervalMs: 1,
          timeoutMs: 1,
          retries: 1,
          startPeriodMs: 0,
          startIntervalMs: 1,
          disable: false,
        },
      }
    : {}),
});

const rec = (over: Partial<ContainerRecord>, healthcheck = true): ContainerRecord => ({
  spec: spec(healthcheck),
  status: 'running',
  pid: 5,
  startTime: 1,
  ...over,
});
const probe = { start: '', end: '', exitCode: 1, output: 'refused\n' };

describe('conditionState', () => {
  it('service_started: met once running, or once it ran and exited', () => {
    expect(conditionState(rec({}), true, 'service_started')).toEqual({ state: 'met' });
    expect(conditionState(rec({ status: 'exited', exitCode: 1 }), false, 'service_started')).toEqual({ state: 'met' });
    expect(conditionState(rec({ status: 'creating' }), false, 'service_started')).toEqual({
      state: 'failed',
      reason: 'failed to start',
    });
    expect(conditionState(rec({ status: 'starting' }), false, 'service_started')).toEqual({
      state: 'failed',
      reason: 'failed to start',
    });
    expect(conditionState(rec({ status: 'starting' }), true, 'service_started')).toEqual({ state: 'pending' });
    expect(conditionState(undefined, false, 'service_started')).toEqual({
      state: 'failed',
      reason: 'has no container',
    });
  });

  it('service_healthy: pending while starting, met when healthy, failed when unhealthy or exited', () => {
    expect(
      conditionState(rec({ health: { status: 'starting', failingStreak: 0, log: [] } }), true, 'service_healthy'),
    ).toEqual({ state: 'pending' });
    expect(
      conditionState(rec({ health: { status: 'healthy', failingStreak: 0, log: [] } }), true, 'service_healthy'),
    ).toEqual({ state: 'met' });
    expect(
      conditionState(rec({ health: { status: 'unhealthy', failingStreak: 3, log: [probe] } }), true, 'service_healthy'),
    ).toEqual({ state: 'failed', reason: 'is unhealthy (last check: exit 1: refused)' });
    expect(conditionState(rec({ status: 'exited', exitCode: 0 }), false, 'service_healthy')).toEqual({
      state: 'failed',
      reason: 'exited with code 0',
    });
    expect(conditionState(rec({}, false), true, 'service_healthy').state).toBe('failed');
  });

  it('service_completed_successfully: pending while running, met on exit 0 only', () => {
    expect(conditionState(rec({}), true, 'service_completed_successfully')).toEqual({ state: 'pending' });
    expect(conditionState(rec({ status: 'exited', exitCode: 0 }), false, 'service_completed_successfully')).toEqual({
      state: 'met',
    });
    expect(conditionState(rec({ status: 'exited', exitCode: 2 }), false, 'service_completed_successfully')).toEqual({
      state: 'failed',
      reason: 'exited with code 2',
    });
  });

  it('ready (up --wait): accepting connections without a healthcheck, healthy with one, and a one-shot that exited 0', () => {
    // Running is not enough: a server still starting refuses connections (supervisor/readiness-monitor.ts).
    expect(conditionState(rec({}, false), true, 'ready')).toEqual({ state: 'pending' });
    expect(conditionState(rec({ readiness: { ready: true } }, false), true, 'ready')).toEqual({ state: 'met' });
    expect(conditionState(rec({ readiness: { ready: false, closedPorts: [80, 443] } }, false), true, 'ready')).toEqual({
      state: 'failed',
      reason: 'does not accept connections on ports 80, 443 (add a healthcheck if it is ready otherwise)',
    });
    expect(conditionState(rec({}), true, 'ready')).toEqual({ state: 'pending' });
    expect(conditionState(rec({ status: 'exited', exitCode: 0 }, false), false, 'ready')).toEqual({ state: 'met' });
    expect(conditionState(rec({ status: 'exited', exitCode: 1 }, false), false, 'ready')).toEqual({
      state: 'failed',
      reason: 'exited with code 1',
    });
  });

  it('a container stopped on purpose fails every condition', () => {
    expect(
      conditionState(rec({ status: 'exited', exitCode: 143, stopped: true }), false, 'service_started').state,
    ).toBe('failed');
  });
});
