// What a network's driver_opts, aux_addresses and labels put into its spec (the loader
// has refused everything else): the bridge's MTU and host name, the addresses no
// container is given, the labels its record keeps. Each field is set only when the file
// gives it, so the spec (and networkHash) of a network without them is what it was
// before stack read them: an upgrade recreates nothing.

import { canonicalJson } from '../../model/hash.js';
import type { Observed, ObservedNetwork } from '../../model/observed.js';
import type { NetworkSpec } from '../../model/plan.js';
import type { Network } from '../../model/types.js';
import { BRIDGE_NAME_OPTION, MTU_OPTION, parseMtu } from '../../model/network-options.js';

export function withNetworkOptions(spec: NetworkSpec, net: Network): NetworkSpec {
  const out = { ...spec };
  const bridge = net.driverOpts[BRIDGE_NAME_OPTION];
  if (bridge !== undefined) out.bridge = bridge;
  const mtu = net.driverOpts[MTU_OPTION] === undefined ? undefined : parseMtu(net.driverOpts[MTU_OPTION]);
  if (mtu !== undefined) out.mtu = mtu;
  const aux = Object.values(net.auxAddresses ?? {});
  if (aux.length > 0) out.auxAddresses = [...new Set(aux)].sort();
  if (Object.keys(net.labels).length > 0) out.labels = { ...net.labels };
  return out;
}

/** A chosen bridge name that another network (of this file, or of another stack, made or being made) already has. */
export function bridgeNameClashes(specs: NetworkSpec[], observed: Observed): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  for (const spec of specs) {
    if (spec.owner) continue;
    const other = seen.get(spec.bridge);
    if (other)
      problems.push(
        `network ${spec.key}: bridge name ${spec.bridge} (${BRIDGE_NAME_OPTION}) is also the bridge of network ${other}; give each network its own`,
      );
    seen.set(spec.bridge, spec.key);
    const foreign = observed.foreignNetworks?.find((f) => f.bridge === spec.bridge);
    const claimed = observed.claimedBridges?.find((c) => c.bridge === spec.bridge);
    if (foreign)
      problems.push(
        `network ${spec.key}: bridge name ${spec.bridge} (${BRIDGE_NAME_OPTION}) is the bridge of network ${foreign.name} of stack ${foreign.project}; choose another name, or join that network with external: true`,
      );
    else if (claimed)
      problems.push(
        `network ${spec.key}: bridge name ${spec.bridge} (${BRIDGE_NAME_OPTION}) is being made by stack ${claimed.project}, whose up is in progress; choose another name, or join its network with external: true once that up is done`,
      );
  }
  return problems;
}

/**
 * Whether the record of an unchanged network keeps other labels than the file gives. They
 * change nothing on the host (so they are not in networkHash), only the record: the
 * network's create operation rewrites it and finds its bridge as it is.
 */
export function labelsChanged(seen: ObservedNetwork, spec: NetworkSpec): boolean {
  return canonicalJson(seen.labels ?? {}) !== canonicalJson(spec.labels ?? {});
}
