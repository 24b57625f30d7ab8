// What runs over time in the supervisor: each container's healthcheck, its restart policy
// with backoff, and the lifecycle event stream. The executor calls its hooks at each step
// on a container (executor/container-hooks.ts: a release starts tracking, a deliberate stop
// ends the health checks and any restart under way), and it hears every exit through the
// host's onExit. Whether an exit restarts anything is the record's to say (`stopped`).

import type { ContainerExit, Host } from '../executor/host.js';
import type { ContainerHooks } from '../executor/container-hooks.js';
import type { ContainerRecord } from '../model/records.js';
import { lastProbeText } from '../model/conditions.js';
import { resumeContainer } from '../executor/launch-container.js';
import { probeArgv } from '../model/healthcheck.js';
import type { ContainerSpec, LogConfig } from '../model/plan.js';
import type { Clock } from './clock.js';
import type { EventBus } from './events.js';
import { HealthMonitor } from './health-monitor.js';
import { ReadinessMonitor } from './readiness-monitor.js';
import { initialHealth } from './health-state.js';
import { Backoff, countedRestarts, noteRestart, restartDecision } from './restart-policy.js';
import { isNoSpace } from '../store/record-errors.js';

/** How soon a restart that failed for lack of space in STACK_ROOT is tried again. */
const NO_SPACE_RETRY_MS = 1000;

export interface LifecycleOptions {
  project: string;
  host: Host;
  clock: Clock;
  events: EventBus;
  log: (line: string) => void;
  /** Notes when each running container's log grows (store/log-times.ts). */
  logTimes?: { track(name: string, config?: LogConfig): void; untrack(name: string): void };
  /**
   * Runs before a container's command is released: the DNS server learns its name (and
   * listens on a new network's gateway) before the command, or one after it, asks.
   */
  beforeRelease?: () => Promise<void>;
  /**
   * Runs before a container is stopped: the DNS server stops answering it (a replaced one's
   * names go to its ready replacement, supervisor/dns/slot-answers.ts) before it goes.
   */
  beforeStop?: () => Promise<void>;
  /**
   * Runs before a replaced container drains, with its addresses: the DNS answers switch to
   * its replacement when the published ports do, and the drain starts once no client can
   * still have its address cached (supervisor/dns/dns-server.ts forgotten).
   */
  beforeDrain?: (addresses: string[]) => Promise<void>;
}

/** What the supervisor keeps per container it has seen start. */
interface Tracked {
  spec: ContainerSpec;
  /** When its current (or last) process started, ms. */
  startedAt: number;
  backoff: Backoff;
  restartCount: number;
  /** When this supervisor restarted it, ms (deploy.restart_policy.window counts these). */
  restartTimes: number[];
  monitor?: HealthMonitor;
  /** Without a healthcheck: until its ports accept connections (readiness-monitor.ts). */
  readiness?: ReadinessMonitor;
  /**
   * The timer of a scheduled restart, and a restart under way: handles to cancel and to wait
   * for, not intent (the record's `stopped` says whether a restart may happen at all).
   */
  cancelRestart?: () => void;
  /** The exit the scheduled restart answers (kept so a paused restart can be decided again). */
  pendingExit?: ContainerExit;
  restarting?: Promise<void>;
}

/** What there is to track of a container first seen through its record. */
function tracking(record: ContainerRecord, startedAt: number): Tracked {
  return {
    spec: record.spec,
    startedAt,
    backoff: new Backoff(record.spec.restart.delayMs),
    restartCount: record.restartCount ?? 0,
    restartTimes: [],
  };
}

/** The record describes a process started after the one whose exit (of pid `exited`) is handled. */
function runsAnother(record: ContainerRecord, exited: number | undefined): boolean {
  return exited !== undefined && record.pid !== undefined && record.pid !== exited && record.status !== 'exited';
}

export class Lifecycle {
  private readonly tracked = new Map<string, Tracked>();
  /** Exits whose restart waits while `stack boot` decides (pauseRestarts). */
  private deferred: ContainerExit[] | undefined;

  /**
   * What follows the executor's steps on a container; the supervisor passes these to every
   * plan it executes (handlers.ts), and the restart policy's own restarts use them too.
   */
  readonly hooks: ContainerHooks = {
    created: async (spec) => this.publish('create', spec),
    releasing: async () => this.opts.beforeRelease?.(),
    released: async (_project, name) => this.started(name, true),
    draining: async (project, name) => {
      const record = await this.opts.host.state.loadContainer(project, name);
      await this.opts.beforeDrain?.(record?.spec.endpoints.map((e) => e.ip) ?? []);
    },
    stopping: async (_project, name) => {
      await this.stopping(name);
      await this.opts.beforeStop?.();
    },
    stopped: async (project, name) => {
      this.opts.logTimes?.untrack(name);
      const record = await this.opts.host.state.loadContainer(project, name);
      if (record) this.publish('stop', record.spec);
    },
    cleanedUp: async (project, name) => {
      const record = await this.opts.host.state.loadContainer(project, name);
      this.tracked.delete(name);
      if (record) this.publish('destroy', record.spec);
    },
  };

  constructor(private readonly opts: LifecycleOptions) {
    opts.host.containers.onExit((exit) => {
      this.exited(exit).catch((err: unknown) => opts.log(`handling the exit of ${exit.name} failed: ${String(err)}`));
    });
  }

  /** Health monitoring for containers a previous supervisor started (adopted ones). */
  async watch(names: string[]): Promise<void> {
    for (const name of names) await this.started(name, false);
  }

  /**
   * Exited containers a previous supervisor may still have owed a restart (adopt.ts
   * exitedUnderPolicy): the restart policy decides on their recorded exit as it would
   * have, with the backoff starting over.
   */
  async takeOverRestarts(names: string[]): Promise<void> {
    const { host, project } = this.opts;
    for (const name of names) {
      const record = await host.state.loadContainer(project, name);
      if (record?.status === 'exited')
        await this.applyRestartPolicy({ project, name, exitCode: record.exitCode ?? -1, pid: record.pid }, false);
    }
  }

  private publish(
    type: Parameters<EventBus['publish']>[0]['type'],
    spec: ContainerSpec,
    extra: Partial<Parameters<EventBus['publish']>[0]> = {},
  ): void {
    this.opts.events.publish({ type, service: spec.service, container: spec.displayName ?? spec.name, ...extra });
  }

  /** A container's process runs (first start, resume or restart): track it and check its health. */
  private async started(name: string, announce: boolean): Promise<void> {
    const { host, project, clock } = this.opts;
    const record = await host.state.loadContainer(project, name);
    if (!record) return;
    this.opts.logTimes?.track(name, record.spec.logging);
    const t = this.tracked.get(name) ?? tracking(record, 0);
    t.spec = record.spec;
    t.startedAt = record.startedAt ? Date.parse(record.startedAt) : clock.now();
    this.tracked.set(name, t);
    if (announce) this.publish('start', record.spec);
    // A one-shot may have exited before we got here: nothing to check then.
    if (record.status === 'exited') return;
    const argv = probeArgv(record.spec.healthcheck);
    await t.readiness?.stop();
    t.readiness = undefined;
    if (!argv || !record.spec.healthcheck) return this.watchReadiness(t, record);
    await t.monitor?.stop();
    await host.state.updateContainer(project, name, (r) => ({ ...r, health: initialHealth() }));
    t.monitor = new HealthMonitor({
      healthcheck: record.spec.healthcheck,
      argv,
      clock,
      startedAt: t.startedAt,
      probe: (probeArgv, signal) => this.probe(name, probeArgv, signal),
      onProbe: async (health, previous) => {
        // Not written on a full disk: the next probe writes the next result.
        await this.note(
          name,
          'the health',
          (r) => (r.status === 'exited' ? r : { ...r, health }),
          () => false,
        );
        if (health.status !== previous) {
          this.publish('health_status', t.spec, {
            health: health.status,
            detail: `last check: ${lastProbeText(health)}`,
          });
          this.opts.log(`container ${name} is ${health.status} (last check: ${lastProbeText(health)})`);
        }
      },
    });
    t.monitor.start();
  }

  /** Without a healthcheck: records when it is ready (an adopted one already found ready stays so). */
  private watchReadiness(t: Tracked, record: ContainerRecord): void {
    if (record.readiness?.ready) return;
    const { clock } = this.opts;
    const name = record.spec.name;
    t.readiness = new ReadinessMonitor({
      address: record.spec.endpoints[0]?.ip,
      ports: record.spec.readyPorts ?? [],
      clock,
      startedAt: t.startedAt,
      onVerdict: async (readiness) => {
        // Given once, so written again until there is space, while this process is the container's.
        const still = () => this.tracked.get(name) === t;
        await this.note(
          name,
          'the readiness',
          (r) => (r.status === 'exited' || r.pid !== record.pid ? r : { ...r, readiness }),
          still,
        );
        if (!readiness.ready)
          this.opts.log(
            `container ${name} is not ready: nothing accepts connections on port ${readiness.closedPorts.join(', ')}`,
          );
      },
    });
    t.readiness.start();
  }

  /**
   * Writes a monitor's finding onto a container's record. A write that fails (a full
   * STACK_ROOT) is logged, never thrown: the monitors' callbacks run from timers, where a
   * rejection killed the supervisor. For lack of space it is tried again every second
   * while `again()` holds.
   */
  private async note(
    name: string,
    what: string,
    change: (r: ContainerRecord) => ContainerRecord,
    again: () => boolean,
  ): Promise<void> {
    try {
      await this.opts.host.state.updateContainer(this.opts.project, name, change);
    } catch (err) {
      const retry = isNoSpace(err) && again();
      this.opts.log(
        `recording ${what} of ${name} failed: ${err instanceof Error ? err.message : String(err)}${retry ? `; tried again in ${NO_SPACE_RETRY_MS} ms` : ''}`,
      );
      if (retry) this.opts.clock.after(NO_SPACE_RETRY_MS, () => void this.note(name, what, change, again));
    }
  }

  /** CMD / CMD-SHELL run inside the container, output captured (docker keeps 4 KiB). */
  private async probe(
    name: string,
    argv: string[],
    signal: AbortSignal,
  ): Promise<{ exitCode: number; output: string }> {
    let output = '';
    const exitCode = await this.opts.host.containers.exec(this.opts.project, name, {
      argv,
      stdio: 'pipe',
      signal,
      onOutput: (_stream, chunk) => {
        if (output.length < 4096) output += chunk.toString('utf8');
      },
    });
    return { exitCode, output };
  }

  /**
   * Before a deliberate stop (the record says `stopped` already): no restart, no health
   * checks; a restart under way finishes first, so the stop ends it.
   */
  private async stopping(name: string): Promise<void> {
    const t = this.tracked.get(name);
    if (!t) return;
    t.cancelRestart?.();
    t.cancelRestart = undefined;
    await t.restarting;
    await t.monitor?.stop();
    t.monitor = undefined;
    await t.readiness?.stop();
    t.readiness = undefined;
  }

  private async exited(exit: ContainerExit): Promise<void> {
    const { host, project, clock, log } = this.opts;
    const known = exit.exitCode >= 0;
    this.opts.logTimes?.untrack(exit.name);
    log(
      `container ${exit.name} exited ${known ? `with ${exit.exitCode}` : '(adopted: exit code unknown)'}${exit.oomKilled ? ' (OOMKilled)' : ''}`,
    );
    await host.state
      .updateContainer(exit.project, exit.name, (r) => {
        if (runsAnother(r, exit.pid)) return r;
        const { exitCode: _old, oomKilled: _oom, ...rest } = r;
        return {
          ...rest,
          status: 'exited',
          ...(known ? { exitCode: exit.exitCode } : {}),
          ...(exit.oomKilled ? { oomKilled: true } : {}),
          finishedAt: new Date(clock.now()).toISOString(),
        };
      })
      .catch((err: unknown) => {
        // A full STACK_ROOT: the exit goes unrecorded (ps tells it from the dead pid), but the
        // restart policy still applies; the restart writes a new record once there is space.
        log(`recording the exit of ${exit.name} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    await this.applyRestartPolicy(exit, true);
  }

  /** After an exit (announced: a `die` event) the restart policy decides, from the record, whether and when it starts again. */
  private async applyRestartPolicy(exit: ContainerExit, announce: boolean): Promise<void> {
    const { host, project, clock, log } = this.opts;
    const record = await host.state.loadContainer(project, exit.name);
    if (!record) return;
    // Started again since (a restart, a recreate): that process is not the one that exited,
    // and restarting "it" would run a second copy beside it.
    if (runsAnother(record, exit.pid)) {
      log(`container ${exit.name} runs pid ${record.pid} now; the exit of pid ${exit.pid} is not its`);
      return;
    }
    let t = this.tracked.get(exit.name);
    if (!t) {
      t = tracking(record, record.startedAt ? Date.parse(record.startedAt) : clock.now());
      this.tracked.set(exit.name, t);
    }
    await t.monitor?.stop();
    t.monitor = undefined;
    await t.readiness?.stop();
    t.readiness = undefined;
    if (announce)
      this.publish('die', record.spec, { exitCode: exit.exitCode, ...(exit.oomKilled ? { detail: 'OOMKilled' } : {}) });

    if (this.deferred) {
      // `stack boot` runs: it decides for a container that died while no supervisor ran
      // (an adopted one, exit code unknown); an exit of our own is decided once it is done.
      if (exit.exitCode >= 0) this.deferred.push(exit);
      return;
    }
    this.scheduleRestart(exit, record, t);
  }

  /**
   * Stops restarts for `stack boot` (supervisor/boot.ts): pending ones are cancelled and
   * running ones finish first, so the boot plan never starts a container a restart starts
   * too. Exits meanwhile wait for resumeRestarts.
   */
  async pauseRestarts(): Promise<void> {
    this.deferred ??= [];
    for (const t of this.tracked.values()) {
      if (!t.cancelRestart) continue;
      t.cancelRestart();
      t.cancelRestart = undefined;
      if (t.pendingExit && t.pendingExit.exitCode >= 0) this.deferred.push(t.pendingExit);
    }
    await Promise.all([...this.tracked.values()].map((t) => t.restarting));
  }

  /** After the boot: each exit that waited gets its restart policy, unless the boot started that container again. */
  async resumeRestarts(): Promise<void> {
    const exits = this.deferred ?? [];
    this.deferred = undefined;
    for (const exit of exits) {
      const record = await this.opts.host.state.loadContainer(this.opts.project, exit.name);
      const t = this.tracked.get(exit.name);
      if (!record || !t || record.status !== 'exited' || runsAnother(record, exit.pid)) continue;
      this.scheduleRestart(exit, record, t);
    }
  }

  /** The restart policy's answer to `exit`, and the restart after its backoff if it says so. */
  private scheduleRestart(exit: ContainerExit, record: ContainerRecord, t: Tracked): void {
    const { clock, log } = this.opts;
    // One restart scheduled at a time: a second look at the same exit (a restart taken over
    // from a dead supervisor, the kill of a restart that failed for lack of space) adds none.
    if (t.cancelRestart) return;
    const counted = countedRestarts(record.spec.restart, t.restartTimes, t.restartCount, clock.now());
    const decision = restartDecision(record.spec.restart, exit.exitCode, counted, !!record.stopped);
    if (!decision.restart) {
      if (record.spec.restart.name !== 'no' && !record.stopped)
        log(`container ${exit.name} is not restarted: ${decision.reason}`);
      return;
    }
    const delayMs = t.backoff.next(clock.now() - t.startedAt);
    const count = t.restartCount + 1;
    t.restartTimes = noteRestart(record.spec.restart, t.restartTimes, clock.now());
    this.publish('restart', record.spec, { restartCount: count, delayMs });
    const tracked = t;
    tracked.pendingExit = exit;
    tracked.cancelRestart = clock.after(delayMs, () => {
      tracked.cancelRestart = undefined;
      tracked.restarting = this.restart(tracked, count, exit.pid).finally(() => (tracked.restarting = undefined));
    });
  }

  /**
   * The restart itself: the same spec, addresses and filesystem, a new process. Not made
   * when the record says otherwise by now: removed, stopped on purpose, or running a newer
   * process than the one that exited (pid `exited`: a `stack start` came during the backoff).
   */
  private async restart(t: Tracked, count: number, exited: number | undefined): Promise<void> {
    const { host, project, log } = this.opts;
    const name = t.spec.name;
    const record = await host.state.loadContainer(project, name);
    if (!record || record.stopped || runsAnother(record, exited)) return;
    // Due while `stack boot` runs (a retry for lack of space): decided again once it is done.
    if (this.deferred) {
      if (t.pendingExit && t.pendingExit.exitCode >= 0) this.deferred.push(t.pendingExit);
      return;
    }
    t.restartCount = count;
    try {
      await resumeContainer(project, name, host, {
        changes: { restartCount: count },
        hooks: this.hooks,
        byPolicy: true,
      });
      log(`container ${name} restarted (restart ${count})`);
    } catch (err) {
      const lackOfSpace = isNoSpace(err) && !(await host.state.loadContainer(project, name))?.stopped;
      log(
        `restart ${count} of ${t.spec.name} failed: ${err instanceof Error ? err.message : String(err)}${lackOfSpace ? `; tried again in ${NO_SPACE_RETRY_MS} ms` : ''}`,
      );
      this.publish('die', t.spec, {
        exitCode: -1,
        detail: `restart failed: ${err instanceof Error ? err.message : String(err)}`,
      });
      // An init stage spawned before the failure (no space for its record, a bridge gone
      // after a reboot) waits for a release that never comes: killed (without the hooks: a
      // deliberate stop waits for this restart), so no later start — the next try,
      // `stack boot`, `stack start` — ever runs a second one beside it.
      await host.containers.stop(project, name, 'SIGKILL', 0).catch(() => {});
      // A full STACK_ROOT is no fault of the container: try again until there is space.
      if (lackOfSpace) {
        t.cancelRestart = this.opts.clock.after(NO_SPACE_RETRY_MS, () => {
          t.cancelRestart = undefined;
          t.restarting = this.restart(t, count, undefined).finally(() => (t.restarting = undefined));
        });
      }
    }
  }
}
