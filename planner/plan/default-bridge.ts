// Default-bridge part of reconcile: services in `network_mode: bridge` get one interface on
// the host-wide default bridge (model/default-bridge.ts), which no stack owns. The stack
// joins it (the join makes it when it is missing, or repairs it) while it has such a
// service, and leaves it when it has none left; the last stack to leave removes it.

import type { Observed, ObservedDefaultBridge } from '../../model/observed.js';
import type { NetworkSpec, Operation } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { chooseSubnet, defaultGateway } from '../../model/ipam.js';
import {
  DEFAULT_BRIDGE_KEY,
  DEFAULT_BRIDGE_OWNER,
  DEFAULT_BRIDGE_PREFIX,
  defaultBridgeNames,
} from '../../model/default-bridge.js';

/** `network_mode: bridge` (and `default`, which means the same to docker on Linux). */
export function onDefaultBridge(service: Pick<Service, 'networkMode'>): boolean {
  return service.networkMode === 'bridge' || service.networkMode === 'default';
}

/** The stack with each service on the default bridge given its one interface there. */
export function withDefaultBridge(stack: Stack): Stack {
  if (!stack.services.some(onDefaultBridge)) return stack;
  return {
    ...stack,
    services: stack.services.map((s) =>
      onDefaultBridge(s)
        ? {
            ...s,
            networks: [
              {
                network: DEFAULT_BRIDGE_KEY,
                aliases: [],
                gwPriority: 0,
                priority: 0,
                ...(s.bridgeMac ? { macAddress: s.bridgeMac } : {}),
              },
            ],
          }
        : s,
    ),
  };
}

export interface PlannedDefaultBridge {
  /** Its spec, when a service of the stack is on it. */
  spec?: NetworkSpec;
  operations: Operation[];
  /** `network:bridge` when the recorded bridge drifted away: the stack's containers on it are rewired. */
  createIds: string[];
  problems: string[];
}

/** `taken`: the subnets a new default bridge must avoid (the host's, other stacks', this stack's networks'). */
export function planDefaultBridge(stack: Stack, observed: Observed, taken: string[]): PlannedDefaultBridge {
  const seen = observed.defaultBridge;
  const using = stack.services.filter(onDefaultBridge);
  const mine = !!seen?.users.includes(stack.project);
  if (using.length === 0) {
    const operations: Operation[] = mine
      ? [leaveOperation(stack.project, seen!, 'no service of the stack uses network_mode bridge any more')]
      : [];
    return { operations, createIds: [], problems: [] };
  }
  if (stack.networks.some((n) => n.key === DEFAULT_BRIDGE_KEY)) {
    const names = using.map((s) => s.name).join(', ');
    return {
      operations: [],
      createIds: [],
      problems: [
        `network ${DEFAULT_BRIDGE_KEY}: the name is the host's default bridge, which services ${names} join with network_mode bridge; rename the network`,
      ],
    };
  }
  const names = seen ?? { ...defaultBridgeNames(''), users: [], present: false, leftover: false, usedIps: [] };
  const subnet = names.spec?.subnet ?? chooseSubnet(taken, DEFAULT_BRIDGE_PREFIX);
  if (!subnet)
    return {
      operations: [],
      createIds: [],
      problems: [
        `network_mode bridge: no free /${DEFAULT_BRIDGE_PREFIX} left in 10.123.0.0/16 for the host's default bridge; remove networks of other stacks or use the stack's own networks`,
      ],
    };
  const spec: NetworkSpec = {
    project: stack.project,
    key: DEFAULT_BRIDGE_KEY,
    name: DEFAULT_BRIDGE_KEY,
    bridge: names.bridge,
    subnet,
    gateway: names.spec?.gateway ?? defaultGateway(subnet),
    prefixLength: names.spec?.prefixLength ?? DEFAULT_BRIDGE_PREFIX,
    owner: DEFAULT_BRIDGE_OWNER,
  };
  if (names.spec && mine && names.present) return { spec, operations: [], createIds: [], problems: [] };
  // A bridge that is gone took the veths of this stack's containers with it, whether or
  // not the stack's mark survived (a leave killed half-way): they are rewired.
  const drifted = !!names.spec && !names.present;
  const cause = !names.spec
    ? 'the default bridge of network_mode bridge does not exist yet'
    : drifted
      ? `drift: the default bridge ${names.bridge} or its nftables table is missing or misconfigured on the host`
      : `services ${using.map((s) => s.name).join(', ')} use network_mode bridge`;
  const join: Operation = {
    kind: 'bridge.join',
    id: `network:${DEFAULT_BRIDGE_KEY}`,
    cause,
    after: [],
    project: stack.project,
    network: spec,
  };
  return { spec, operations: [join], createIds: drifted ? [join.id] : [], problems: [] };
}

/** The stack's mark comes off the default bridge (the last one removes the bridge). */
export function leaveOperation(project: string, seen: ObservedDefaultBridge, cause: string): Operation {
  return { kind: 'bridge.leave', id: 'network-remove:default-bridge', cause, after: [], project, bridge: seen.bridge };
}
