// The plan of `stack boot`: a stack brought back after a reboot from its state records
// alone (the file may be gone or changed), as docker brings containers back when its
// daemon starts. The bridges and the nftables table the records describe are made again
// where the kernel lost them; the containers whose restart policy asks for it are started
// again as they were (same spec, addresses and filesystem); the others stay as they are.

import type { ObservedContainer, Observed } from '../../model/observed.js';
import type { ContainerSpec, NatSpec, NetworkSpec, Operation, Plan } from '../../model/plan.js';
import type { RestartPolicyName } from '../../model/types.js';
import { DEFAULT_BRIDGE_KEY } from '../../model/default-bridge.js';

/** What the state store holds of the stack: enough to make its objects again. */
export interface BootRecords {
  networks: NetworkSpec[];
  nat?: NatSpec;
  containers: { spec: ContainerSpec; stopped?: boolean }[];
}

/**
 * Docker's rule at daemon start: `always` comes back even after a `docker stop` (only its
 * `docker start` or a daemon start ends a manual stop), `unless-stopped` unless stopped by
 * hand; `no` never, and `on-failure` neither — it answers a container's own failure, and a
 * reboot is none (docker's documented behaviour since docs PR 18228).
 */
export function comesBackAtBoot(policy: RestartPolicyName, stoppedByUser: boolean): boolean {
  return policy === 'always' || (policy === 'unless-stopped' && !stoppedByUser);
}

export function bootPlan(observed: Observed, records: BootRecords): Plan {
  const project = observed.project;
  const operations: Operation[] = [];
  const made: string[] = [];

  const recreated = new Set<string>();
  for (const net of records.networks) {
    if (observed.networks.find((n) => n.key === net.key)?.linkPresent) continue;
    recreated.add(net.key);
    made.push(`network:${net.key}`);
    operations.push({
      kind: 'network.create',
      id: `network:${net.key}`,
      cause: `bridge ${net.bridge} of network ${net.key} is missing or misconfigured on the host`,
      after: [],
      network: net,
    });
  }
  // The host-wide default bridge (network_mode: bridge) is no record of the stack's: it is
  // joined again, which makes it (or finds it made by another stack's boot) and its table.
  const shared = observed.defaultBridge;
  const onShared = records.containers.some(({ spec }) => spec.endpoints.some((e) => e.bridge === shared?.bridge));
  if (shared?.spec && onShared && (!shared.present || !shared.users.includes(project))) {
    recreated.add(DEFAULT_BRIDGE_KEY);
    made.push(`network:${DEFAULT_BRIDGE_KEY}`);
    operations.push({
      kind: 'bridge.join',
      id: `network:${DEFAULT_BRIDGE_KEY}`,
      cause: `the default bridge ${shared.bridge} of network_mode bridge is missing or misconfigured on the host`,
      after: [],
      project,
      network: shared.spec,
    });
  }
  if (records.nat && !observed.nat?.present) {
    made.push('nat');
    operations.push({
      kind: 'nat.apply',
      id: 'nat',
      cause: `nftables table ${records.nat.table} is missing on the host, or its rules were flushed`,
      after: made.filter((id) => id !== 'nat'),
      nat: records.nat,
    });
  }

  const seen = new Map(observed.containers.map((c) => [c.name, c]));
  const starts: { spec: ContainerSpec; seen: ObservedContainer; cause: string; stop: boolean }[] = [];
  for (const { spec, stopped } of records.containers) {
    const c = seen.get(spec.name);
    if (!c) continue; // a damaged record: `up` or `down` deals with it by name
    const rewire = c.running ? c.endpoints.find((e) => recreated.has(e.network) || e.present === false) : undefined;
    if (rewire)
      starts.push({
        spec,
        seen: c,
        stop: true,
        cause: `its network ${rewire.network} is made again, so ${spec.name} must be reattached`,
      });
    else if (!c.running && comesBackAtBoot(spec.restart.name, !!stopped)) {
      const why =
        spec.restart.name === 'always' && stopped
          ? 'restart policy always (it was stopped, which a boot ends, as with docker)'
          : `restart policy ${spec.restart.name}`;
      starts.push({ spec, seen: c, stop: false, cause: `${why}: ${spec.name} comes back at boot` });
    }
  }
  const starting = new Set(starts.map((s) => s.spec.name));
  for (const { spec, seen: c, stop, cause } of starts) {
    const after = [...made];
    if (stop) {
      operations.push({
        kind: 'container.stop',
        id: `stop:${spec.name}`,
        cause,
        after: [],
        project,
        name: spec.name,
        stopSignal: c.stopSignal,
        stopGraceSeconds: c.stopGraceSeconds,
      });
      after.push(`stop:${spec.name}`);
    }
    // `network_mode`, `pid` or `ipc` `container:X` joins X's namespace: X must run first.
    for (const mode of new Set([spec.networkMode, spec.namespaces?.pid, spec.namespaces?.ipc])) {
      const joined = mode?.startsWith('container:') ? mode.slice('container:'.length) : undefined;
      if (joined && starting.has(joined)) after.push(`resume:${joined}`);
    }
    operations.push({ kind: 'container.resume', id: `resume:${spec.name}`, cause, after, project, name: spec.name });
  }
  const notes = operations.length === 0 ? [`stack ${project}: nothing to bring back (what must run runs)`] : [];
  return { project, operations, notes };
}

/**
 * The order to boot stacks in: one whose containers join a network another stack owns
 * (`external: true`) after that stack, which makes its bridge again. Otherwise as given;
 * a cycle (each joins the other's network) is cut where it is found: each stack once.
 */
export async function bootOrder(
  projects: string[],
  use: (project: string) => Promise<{ owns: string[]; uses: string[] }>,
): Promise<string[]> {
  const uses = new Map<string, string[]>();
  const owner = new Map<string, string>();
  for (const p of projects) {
    const u = await use(p);
    uses.set(p, u.uses);
    for (const bridge of u.owns) owner.set(bridge, p);
  }
  const order: string[] = [];
  const visiting = new Set<string>();
  const visit = (p: string) => {
    if (order.includes(p) || visiting.has(p)) return;
    visiting.add(p);
    for (const bridge of uses.get(p) ?? []) {
      const o = owner.get(bridge);
      if (o && o !== p) visit(o);
    }
    order.push(p);
  };
  projects.forEach(visit);
  return order;
}
