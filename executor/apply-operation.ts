// One operation, carried out through the Host. An exhaustive switch with no decisions:
// every choice was made by reconcile(). Records are written before objects are made and
// removed after they are gone, so a crash at any step leaves something `down` can find.

import type { Operation } from '../model/plan.js';
import type { Host } from './host.js';
import { waitForDependencies } from './wait-dependencies.js';
import { launchContainer, resumeContainer, takeDownContainer } from './launch-container.js';

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
}

/** Resolves with warnings worth showing (e.g. an optional dependency that failed), if any. */
export async function applyOperation(op: Operation, host: Host, ctx: ApplyContext = {}): Promise<string[] | void> {
  switch (op.kind) {
    case 'network.create':
      await host.state.saveNetwork(op.network);
      await host.networks.createBridge(op.network);
      return;
    case 'network.remove':
      await host.networks.removeBridge(op.bridge);
      await host.state.removeNetwork(op.project, op.key);
      return;
    case 'container.start': {
      const spec = op.container;
      await host.state.saveContainer(spec.project, { spec, status: 'creating' });
      await launchContainer(spec, host, (pid, startTime, startedAt) => host.state.saveContainer(spec.project, { spec, status: 'starting', pid, startTime, startedAt }), { beforeRelease: ctx.beforeRelease });
      return;
    }
    case 'container.stop':
      // Marked first: the supervisor's restart policy must not bring it back once it exits.
      await host.state.updateContainer(op.project, op.name, (r) => ({ ...r, stopped: true }));
      await host.containers.stop(op.project, op.name, op.stopSignal, op.stopGraceSeconds);
      return;
    case 'container.resume':
      await resumeContainer(op.project, op.name, host);
      return;
    case 'container.remove':
      if (op.drainMs) await host.containers.drain(op.project, op.name, op.drainMs);
      await takeDownContainer(host, op.project, op.name, op);
      return;
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
