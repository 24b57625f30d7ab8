// Why a desired container must be started, if it must: it is missing, its network is
// recreated, it died (drift; a one-shot that exited 0 did not), its configuration or fixed
// address changed, or --force-recreate. Only the last two may replace it make-before-break (plan-instances.ts):
// in the other cases the old container is gone or unusable anyway.

import type { ObservedContainer } from '../../model/observed.js';
import type { ContainerSpec } from '../../model/plan.js';

export interface StartPolicy {
  forceRecreate?: boolean;
  noRecreate?: boolean;
  /** `up --always-recreate-deps SERVICE…`: the dependencies, recreated as with --force-recreate. */
  forceRecreateServices?: string[];
}

export interface StartCause {
  cause?: string;
  note?: string;
  /** The old container runs and stays usable until a replacement is ready. */
  replacesRunning?: boolean;
  /** The container was stopped on purpose and is unchanged: start it again, as it is. */
  resume?: boolean;
}

export function startCause(
  existing: ObservedContainer | undefined,
  spec: ContainerSpec,
  policy: StartPolicy,
  networkCreates: string[],
): StartCause {
  const force = policy.forceRecreate
    ? '--force-recreate'
    : policy.forceRecreateServices?.includes(spec.service)
      ? '--always-recreate-deps'
      : undefined;
  if (!existing)
    return {
      cause:
        spec.replica === 1
          ? `service ${spec.service} has no container`
          : `service ${spec.service} has no replica ${spec.replica}`,
    };
  // A recreated bridge does not get the old veths back: the container must be rewired.
  const rewired = existing.endpoints.find((e) => networkCreates.includes(`network:${e.network}`));
  if (rewired) return { cause: `network ${rewired.network} is recreated, so ${existing.name} must be reattached` };
  if (!existing.running && existing.stopped) {
    // Stopped on purpose: started again as it is, as docker compose's up does (its veths
    // went with its network namespace; the start makes them again), unless it must change.
    const change =
      existing.hash !== spec.hash ? `configuration of service ${spec.service} changed` : addressChange(existing, spec);
    if (force) return { cause: `${force} (${existing.name} was stopped)` };
    if (change && !policy.noRecreate) return { cause: `${change} while ${existing.name} was stopped` };
    const resume = { cause: `container ${existing.name} was stopped; up starts it again`, resume: true };
    return change ? { ...resume, note: `${change}, but --no-recreate starts ${existing.name} again as it is` } : resume;
  }
  if (completedOneShot(existing, spec)) return force ? { cause: `${force} (${existing.name} had completed)` } : {};
  if (!existing.running)
    return {
      cause: `drift: container ${existing.name} is not running${existing.exitCode !== undefined ? ` (exited with ${existing.exitCode})` : ''}`,
    };
  const address = addressChange(existing, spec);
  const change = existing.hash !== spec.hash ? `configuration of service ${spec.service} changed` : address;
  if (change && policy.noRecreate) return { note: `${change}, but --no-recreate keeps ${existing.name} as it is` };
  // A fixed address cannot be held by two containers at once.
  if (change) return { cause: change, replacesRunning: !address };
  const lost = existing.endpoints.find((e) => e.present === false);
  if (lost)
    return {
      cause: `drift: veth ${lost.hostVeth} of ${existing.name} on network ${lost.network} is missing on the host`,
    };
  if (force) return { cause: force, replacesRunning: true };
  return {};
}

/**
 * A one-shot that did its job (exit 0, and a restart policy that leaves it exited there)
 * with the configuration it has now: not drift. Running it again on every up, or on every
 * edit under watch, would re-run a migration each time; a changed configuration or
 * --force-recreate still runs it.
 */
function completedOneShot(existing: ObservedContainer, spec: ContainerSpec): boolean {
  return (
    !existing.running &&
    existing.exitCode === 0 &&
    (spec.restart.name === 'no' || spec.restart.name === 'on-failure') &&
    existing.hash === spec.hash &&
    addressChange(existing, spec) === undefined
  );
}

/** A fixed address that changed (planned addresses otherwise keep the observed ones). */
function addressChange(existing: ObservedContainer, spec: ContainerSpec): string | undefined {
  for (const ep of spec.endpoints) {
    const seen = existing.endpoints.find((e) => e.network === ep.network);
    if (seen && seen.ip !== ep.ip)
      return `address of ${existing.name} on network ${ep.network} changes from ${seen.ip} to ${ep.ip}`;
    if (seen && seen.ip6 !== ep.ip6)
      return `IPv6 address of ${existing.name} on network ${ep.network} changes from ${seen.ip6 ?? 'none'} to ${ep.ip6 ?? 'none'}`;
  }
  return undefined;
}
