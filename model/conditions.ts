// When a container meets a depends_on condition (or `up --wait`'s "ready"), judged from its
// state record alone: records carry status, exit code and the health the supervisor
// writes, so the executor, the supervisor and the CLI all decide the same way. Pure.

import type { DependencyCondition } from '../model/types.js';
import { probeArgv } from '../model/healthcheck.js';
import type { ContainerHealth, ContainerRecord } from '../model/records.js';

/**
 * A depends_on condition, or `ready` (up --wait, replacements): healthy if it has a
 * healthcheck, else accepting connections on its ports (record.readiness); exit 0 counts.
 */
export type WaitCondition = DependencyCondition | 'ready';

export type ConditionState = { state: 'met' } | { state: 'pending' } | { state: 'failed'; reason: string };

export type WaitOutcome = { met: true } | { met: false; reason: string };

const MET: ConditionState = { state: 'met' };
const PENDING: ConditionState = { state: 'pending' };
const failed = (reason: string): ConditionState => ({ state: 'failed', reason });

/**
 * `record` is the container's state record (undefined: none), `alive` whether its
 * recorded process still runs. A record still `creating`, or `starting` with no process,
 * is a container whose start failed: callers ask only after its start operation finished.
 */
export function conditionState(
  record: ContainerRecord | undefined,
  alive: boolean,
  condition: WaitCondition,
): ConditionState {
  if (!record) return failed('has no container');
  if (record.stopped) return failed('is stopped (`stack start` starts it again)');
  const healthcheck = probeArgv(record.spec.healthcheck) !== undefined;
  switch (record.status) {
    case 'creating':
      return failed('failed to start');
    case 'created':
      return failed('is created and not started (`stack start` starts it)');
    case 'starting':
      return alive ? PENDING : failed('failed to start');
    case 'running':
      // A running record whose process is gone: its exit is being recorded right now.
      if (!alive) return PENDING;
      if (condition === 'service_started') return MET;
      if (condition === 'service_completed_successfully') return PENDING;
      if (!healthcheck)
        return condition === 'ready'
          ? readyState(record)
          : failed('has no healthcheck (add one to it, or depend on it with condition service_started)');
      if (record.health?.status === 'healthy') return MET;
      if (record.health?.status === 'unhealthy')
        return failed(`is unhealthy (last check: ${lastProbeText(record.health)})`);
      return PENDING;
    case 'exited': {
      const code = record.exitCode ?? -1;
      if (condition === 'service_started') return MET;
      if (code === 0 && condition !== 'service_healthy') return MET;
      return failed(`exited with code ${code}`);
    }
  }
}

/** `ready` of a running container without a healthcheck. */
function readyState(record: ContainerRecord): ConditionState {
  const r = record.readiness;
  if (!r) return PENDING;
  if (r.ready) return MET;
  const ports = r.closedPorts.join(', ');
  return failed(
    `does not accept connections on port${r.closedPorts.length > 1 ? 's' : ''} ${ports} (add a healthcheck if it is ready otherwise)`,
  );
}

/** The last probe in words, for messages: `exit 1: connection refused`. */
export function lastProbeText(health: ContainerHealth | undefined): string {
  const last = health?.log.at(-1);
  if (!last) return 'no check has run yet';
  const output = last.output.trim().split('\n').at(-1)?.slice(0, 200) ?? '';
  return `exit ${last.exitCode}${output ? `: ${output}` : ''}`;
}

/** `healthy`, `started`, … for messages. */
export function conditionWords(condition: WaitCondition): string {
  switch (condition) {
    case 'service_started':
      return 'started';
    case 'service_healthy':
      return 'healthy';
    case 'service_completed_successfully':
      return 'completed successfully';
    case 'ready':
      return 'ready';
  }
}

export interface WaitOptions {
  /** Give up after this long (no limit when absent). */
  timeoutMs?: number;
  /** Give up when aborted (the request that waits went away, or `down` came). */
  signal?: AbortSignal;
}

/**
 * Polls `load` until the condition is met or failed. Records change through atomic file
 * writes, possibly by another process, so polling the file is the one way that always works.
 */
export async function pollCondition(
  load: () => Promise<ContainerRecord | undefined>,
  alive: (record: ContainerRecord) => boolean,
  condition: WaitCondition,
  opts: WaitOptions = {},
  intervalMs = 20,
): Promise<WaitOutcome> {
  const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
  for (;;) {
    const record = await load();
    const s = conditionState(record, record ? alive(record) : false, condition);
    if (s.state === 'met') return { met: true };
    if (s.state === 'failed') return { met: false, reason: s.reason };
    if (opts.signal?.aborted)
      return { met: false, reason: `was not ${conditionWords(condition)} yet when the wait was cancelled` };
    if (Date.now() >= deadline) {
      const health = record?.health
        ? ` (health: ${record.health.status}, last check: ${lastProbeText(record.health)})`
        : '';
      return {
        met: false,
        reason: `was not ${conditionWords(condition)} after ${Math.round(opts.timeoutMs! / 1000)} s${health}`,
      };
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
