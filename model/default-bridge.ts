// The host-wide default bridge: where `network_mode: bridge` puts a container, as docker
// puts it on its `bridge` network. Egress through masquerade and published ports, as on any
// stack network, but no service names: the stack's DNS server does not listen there and the
// container's resolv.conf names the host's resolvers (docker gives such a container a copy
// of the host's file). Shared by every stack of one STACK_ROOT: made by the first apply that
// needs it, removed by the last stack that leaves it. Its record and the marks of the stacks
// that use it live under $STACK_ROOT/default-bridge (store/default-bridge.ts).

import { sha256Hex } from './sha256.js';

/** The network key of its endpoints in a container spec (docker's network name). */
export const DEFAULT_BRIDGE_KEY = 'bridge';

/** NetworkSpec.owner of the default bridge: no stack owns it, so none removes it with its own networks. */
export const DEFAULT_BRIDGE_OWNER = '(default bridge)';

/** Its size: docker's is a /16; a /24 holds 253 containers of every stack together. */
export const DEFAULT_BRIDGE_PREFIX = 24;

export interface DefaultBridgeNames {
  /** `stkbd` + 9 hex: a `stkb` name (the isolation rules know it) of the form stack gives its own bridges. */
  bridge: string;
  /** Its nftables table (masquerade, isolation, the loopback guard). */
  table: string;
}

/**
 * Names of the default bridge of one STACK_ROOT (`root`): test runs with their own
 * STACK_ROOT each have their own, as they have their own stacks.
 */
export function defaultBridgeNames(root: string): DefaultBridgeNames {
  const hash = sha256Hex(`default-bridge/${root}`);
  return { bridge: `stkbd${hash.slice(0, 9)}`, table: `stk_default_bridge_${hash.slice(0, 6)}` };
}
