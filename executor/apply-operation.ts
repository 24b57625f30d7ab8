// One operation, carried out through the Host. An exhaustive switch with no decisions:
// every choice was made by reconcile(). Records are written before objects are made and
// removed after they are gone, so a crash at any step leaves something `down` can find.

import { createContainer } from './create-container.js';
import { runPreStartSteps } from './pre-start-steps.js';
import type { Operation } from '../model/plan.js';
import type { Host } from './host.js';
import { waitForDependencies } from './wait-dependencies.js';
import { launchContainer, resumeContainer } from './launch-container.js';
import type { ContainerHooks } from './container-hooks.js';
import { removeContainer, stopContainer } from './stop-container.js';
import { freezeContainer, signalContainer } from './signal-container.js';

/** Hash of a NAT record whose rules may not be in the kernel yet. */
export const NAT_UNAPPLIED = 'unapplied';

export interface ApplyContext {
  /** Cancels waits (the request went away, or `down` came). */
  signal?: AbortSignal;
  /**
   * For a container.start with `releaseAfter`: resolves once those operations succeeded,
   * rejects with a DependencyError if one did not (the executor runs them).
   */
  beforeRelease?: () => Promise<void>;
  /** What follows each step on a container (the supervisor's events, health checks, DNS). */
  hooks?: ContainerHooks;
}

/** Resolves with warnings worth showing (e.g. an optional dependency that failed), if any. */
export async function applyOperation(op: Operation, host: Host, ctx: ApplyContext = {}): Promise<string[] | void> {
  const { hooks } = ctx;
  switch (op.kind) {
    case 'network.create':
      await host.state.saveNetwork(op.network);
      await host.networks.createBridge(op.network);
      return;
    case 'network.remove':
      await host.networks.removeBridge(op.bridge);
      await host.state.removeNetwork(op.project, op.key);
      return;
    case 'bridge.join':
      await host.defaultBridge.join(op.project, op.network);
      return;
    case 'bridge.leave':
      await host.defaultBridge.leave(op.project);
      return;
    case 'container.create':
      return createContainer(op.container, host, hooks ?? {});
    case 'container.start': {
      const spec = op.container;
      if (op.preStart) await runPreStartSteps(host, spec);
      await host.state.saveContainer(spec.project, { spec, status: 'creating' });
      const saveStarting = (pid: number, startTime: number, startedAt: string) =>
        host.state.saveContainer(spec.project, { spec, status: 'starting', pid, startTime, startedAt });
      await launchContainer(spec, host, saveStarting, {
        first: true,
        beforeRelease: ctx.beforeRelease,
        hooks,
        postStart: true,
      });
      return;
    }
    case 'container.stop':
      return stopContainer(host, op.project, op.name, op.stopSignal, op.stopGraceSeconds, hooks);
    case 'container.resume':
      await resumeContainer(op.project, op.name, host, { hooks });
      return;
    case 'container.signal':
      await signalContainer(host, op.project, op.name, op.signal, op.stops);
      return;
    case 'container.freeze':
      await freezeContainer(host, op.project, op.name, op.frozen);
      return;
    case 'container.remove':
      if (op.drainMs) {
        await hooks?.draining?.(op.project, op.name);
        await host.containers.drain(op.project, op.name, op.drainMs);
      }
      return removeContainer(
        host,
        op.project,
        op.name,
        { signal: op.stopSignal, graceSeconds: op.stopGraceSeconds, hostVeths: op.hostVeths },
        hooks,
      );
    case 'container.wait':
      return waitForDependencies(op, host, ctx.signal);
    case 'nat.apply':
      // The record names the table before it exists (so `down` finds it) but carries the
      // new hash only once the kernel has the rules: after a failure or a crash in between,
      // its hash matches no plan and the next `up` applies the table again.
      await host.state.saveNat({ ...op.nat, hash: NAT_UNAPPLIED });
      await host.nat.apply(op.nat);
      await host.state.saveNat(op.nat);
      return;
    case 'nat.remove':
      await host.nat.remove(op.table);
      await host.state.removeNat(op.project);
      return;
    case 'ports.unpublish':
      await host.nat.unpublish(op.table);
      return;
    case 'volume.remove':
      await host.volumes.remove(op.name);
      return;
    case 'stack.forget':
      await host.state.forget(op.project);
      return;
    default: {
      const unknown: never = op;
      throw new Error(`unknown operation ${JSON.stringify(unknown)}`);
    }
  }
}
