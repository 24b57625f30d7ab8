// Plans of `stack kill`, `rm`, `pause` and `unpause`: from the observed containers alone, as
// docker compose acts on a project's containers. kill signals running ones; rm removes
// stopped ones (running ones too with `stop`), their published ports and, with `volumes`,
// their anonymous volumes; pause freezes running ones, unpause thaws paused ones.

import type { Observed, ObservedContainer } from '../../model/observed.js';
import type { Operation, Plan } from '../../model/plan.js';
import { hashOf } from '../../model/hash.js';
import { slotOf } from '../../model/names.js';
import { signalKey } from '../../model/signals.js';
import { PlanError } from './plan-error.js';

export type ContainerCommand =
  | { command: 'kill'; services: string[]; signal: string }
  | { command: 'rm'; services: string[]; stop: boolean; volumes: boolean }
  | { command: 'pause' | 'unpause'; services: string[] };

export function containerCommandPlan(req: ContainerCommand, observed: Observed): Plan {
  const chosen = chooseContainers(observed, req.services);
  const project = observed.project;
  const base = (c: ObservedContainer, verb: string) => ({
    id: `${verb}:${c.name}`,
    cause: req.command,
    after: [],
    project,
    name: c.name,
  });
  let operations: Operation[];
  switch (req.command) {
    case 'kill':
      operations = chosen
        .filter((c) => c.running)
        .map((c) => ({
          ...base(c, 'kill'),
          kind: 'container.signal',
          signal: req.signal,
          // docker's rule: the end a kill with SIGKILL or the stop signal brings is final.
          stops: [signalKey('SIGKILL'), signalKey(c.stopSignal)].includes(signalKey(req.signal)),
        }));
      break;
    case 'pause':
    case 'unpause': {
      const frozen = req.command === 'pause';
      operations = chosen
        .filter((c) => c.running && !!c.paused !== frozen)
        .map((c) => ({ ...base(c, req.command), kind: 'container.freeze', frozen }));
      break;
    }
    case 'rm':
      operations = removals(req, observed, chosen);
      break;
  }
  const notes = operations.length === 0 ? [`no container to ${req.command === 'rm' ? 'remove' : req.command}`] : [];
  return { project, operations, notes };
}

/** The containers of `services` (all when empty); a service without one is a PlanError. */
export function chooseContainers(observed: Observed, services: string[]): ObservedContainer[] {
  const known = new Set(observed.containers.map((c) => c.service));
  const unknown = services.filter((s) => !known.has(s));
  if (unknown.length > 0)
    throw new PlanError(
      unknown.map((s) => `service ${s} has no container in stack ${observed.project}; \`stack up\` creates it`),
    );
  return observed.containers.filter((c) => services.length === 0 || services.includes(c.service));
}

function removals(
  req: Extract<ContainerCommand, { command: 'rm' }>,
  observed: Observed,
  chosen: ObservedContainer[],
): Operation[] {
  const gone = chosen.filter((c) => req.stop || !c.running);
  const operations: Operation[] = gone.map((c) => ({
    kind: 'container.remove',
    id: `remove:${c.name}`,
    cause: req.stop ? 'rm --stop' : 'rm',
    after: [],
    project: observed.project,
    name: c.name,
    stopSignal: c.stopSignal,
    stopGraceSeconds: c.stopGraceSeconds,
    hostVeths: c.endpoints.map((e) => e.hostVeth),
  }));
  const removeIds = operations.map((o) => o.id);
  const names = new Set(gone.map((c) => c.name));
  // Their published ports go with them: a rule left behind would forward to an address a
  // later container may get.
  const nat = observed.nat;
  if (nat?.ports?.some((p) => names.has(p.container)) && nat.networks) {
    const shape = {
      project: observed.project,
      table: nat.table,
      networks: nat.networks,
      ports: nat.ports.filter((p) => !names.has(p.container)),
    };
    operations.push({
      kind: 'nat.apply',
      id: 'nat',
      cause: 'rm: without the ports of the removed containers',
      after: removeIds,
      nat: { ...shape, hash: hashOf(shape) },
    });
  }
  if (req.volumes) {
    const prefixes = gone.map((c) => `${slotOf(c.name)}_anon_`);
    for (const v of observed.volumes)
      if (v.anonymous && v.project === observed.project && prefixes.some((p) => v.name.startsWith(p)))
        operations.push({
          kind: 'volume.remove',
          id: `volume-remove:${v.name}`,
          cause: 'rm -v (anonymous volume)',
          after: removeIds,
          project: observed.project,
          name: v.name,
        });
  }
  return operations;
}
