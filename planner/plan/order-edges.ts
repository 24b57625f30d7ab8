// The ordering edges between the parts of an `up` plan, decided in one place from the
// operations the parts made (networks, NAT, containers, salvage). The edges that come
// from decisions about one service stay where those decisions are made
// (plan-containers.ts): a start after its service's dependencies (or its command only,
// releaseAfter) and after the removal of the container it replaces when that stops first, a
// depends_on wait before the start it holds, a scale-down one replica after the other.

import type { NatSpec, Operation } from '../../model/plan.js';

export interface PlanParts {
  /** Removals of what no readable record describes (salvage.ts); thaws of containers frozen with no pause recorded (thaw-stray.ts). */
  salvage: Operation[];
  /** network.create and network.remove (plan-networks.ts), bridge.join and bridge.leave (default-bridge.ts). */
  networks: Operation[];
  /** nat.apply or nat.remove (plan-nat.ts). */
  nat: Operation[];
  /** Starts, waits and removals of containers (plan-containers.ts). */
  containers: Operation[];
  /** The table once the published ports lead to the replacements, when that changes it (plan-switch.ts). */
  portSwitch?: { nat: NatSpec; containers: Set<string> };
}

export const SWITCH_ID = 'nat:switch';

const ofKind = <K extends Operation['kind']>(ops: Operation[], kind: K) =>
  ops.filter((o): o is Extract<Operation, { kind: K }> => o.kind === kind);
const waitFor = (op: Operation, ids: string[]) => op.after.push(...ids.filter((id) => !op.after.includes(id)));

/** The operations of the plan in order, each with every edge it needs. */
export function orderEdges(parts: PlanParts): Operation[] {
  const containers = [...parts.containers];
  const removals = ofKind(containers, 'container.remove');
  const removalOf = (name: string) => removals.find((o) => o.name === name);

  // A changed network is remade once its old bridge is gone.
  for (const create of ofKind(parts.networks, 'network.create')) {
    const old = ofKind(parts.networks, 'network.remove').find((o) => o.key === create.network.key);
    if (old) create.after.push(old.id);
  }

  // The NAT rules (masquerade per bridge) are applied once the bridges exist; a container
  // starts on its networks and behind those rules, first of all it waits for.
  const creates = parts.networks
    .filter((o) => o.kind === 'network.create' || o.kind === 'bridge.join')
    .map((o) => o.id);
  const applies = ofKind(parts.nat, 'nat.apply');
  for (const op of applies) waitFor(op, creates);
  const ready = [...creates, ...applies.map((o) => o.id)];
  for (const op of containers)
    if (op.kind === 'container.start' || op.kind === 'container.resume') op.after.unshift(...ready);

  // A replacement is ready once it has started (one an earlier apply started has no start
  // here), and the container it replaces goes once it is ready (and then only after a drain).
  const replacementsReady = ofKind(containers, 'container.wait').filter((w) => w.replaces !== undefined);
  const starts = new Set(ofKind(containers, 'container.start').map((o) => o.id));
  for (const w of replacementsReady) {
    const start = `start:${w.dependencies[0]!.containers[0]!}`;
    if (starts.has(start)) w.after.push(start);
    waitFor(removalOf(w.replaces!)!, [w.id]);
  }

  // The published ports switch to the replacements once every one of them that publishes
  // a port is ready, and only then do their old containers go: listed before the first
  // removal that waits for it, as it runs.
  if (parts.portSwitch) {
    const publishing = replacementsReady.filter((w) =>
      parts.portSwitch!.containers.has(w.dependencies[0]!.containers[0]!),
    );
    const portSwitch: Operation = {
      kind: 'nat.apply',
      id: SWITCH_ID,
      cause: 'the published ports lead to the replacements once they are ready',
      after: publishing.map((w) => w.id),
      nat: parts.portSwitch.nat,
    };
    for (const w of publishing) waitFor(removalOf(w.replaces!)!, [SWITCH_ID]);
    const first = containers.findIndex((o) => o.after.includes(SWITCH_ID));
    containers.splice(first < 0 ? containers.length : first, 0, portSwitch);
  }

  const removalIds = removals.map((o) => o.id);
  // A bridge goes (or is remade) only once the containers on it are gone.
  for (const op of parts.networks) waitFor(op, removalIds);
  // The table holds the drop of forged loopback packets (CVE-2020-8558) that a bridge with
  // route_localnet needs: it goes only once the containers that could send them are gone.
  const natRemovals = ofKind(parts.nat, 'nat.remove');
  for (const op of natRemovals) op.after.push(...removalIds);

  const operations = [...parts.networks, ...ofKind(parts.nat, 'nat.apply'), ...containers, ...natRemovals];
  // What no record describes is removed by name before anything else (salvage.ts), and a
  // container nobody paused is thawed first (thaw-stray.ts).
  const salvaged = parts.salvage.map((o) => o.id);
  return [
    ...parts.salvage,
    ...operations.map((o) => ({ ...o, after: [...o.after, ...salvaged.filter((id) => !o.after.includes(id))] })),
  ];
}
