// The host-wide default bridge as observe reports it (model/observed.ts
// ObservedDefaultBridge): its record and users' marks joined with the kernel's view of its
// bridge and table, and the addresses other stacks' containers hold on it.

import type { ObservedDefaultBridge } from '../../../model/observed.js';
import { defaultBridgeNames } from '../../../model/default-bridge.js';
import { readDefaultBridge } from '../../../store/default-bridge.js';
import { stackRoot } from '../../../store/paths.js';
import { defaultBridgeNat } from './default-bridge.js';
import { bridgeConfigured, natTableExists, natTableIntact, type LinkState } from './observe-network.js';

/**
 * `foreignOn`: the containers of other stacks on a bridge, with their addresses; `tables`:
 * the host's `ip` tables (observe-network.ts ipTableNames), listed once per observe.
 */
export async function observeDefaultBridge(
  links: Map<string, LinkState>,
  foreignOn: (bridge: string) => { ip: string }[],
  tables: Promise<Set<string>>,
): Promise<ObservedDefaultBridge> {
  const names = defaultBridgeNames(stackRoot());
  const { spec, users } = await readDefaultBridge();
  const present = !!spec && bridgeConfigured(links, spec) && (await natTableIntact(defaultBridgeNat(spec), tables));
  const leftover = !!spec || links.has(names.bridge) || (await natTableExists(names.table, tables));
  return {
    ...names,
    ...(spec ? { spec } : {}),
    users,
    present,
    leftover,
    usedIps: foreignOn(spec?.bridge ?? names.bridge).map((e) => e.ip),
  };
}
