// The service-level `mac_address`: docker compose gives it to the service's primary network
// (the one attached first: highest `priority`, then by name), where a network-level
// `mac_address` of that network wins. Networks are already normalised and sorted by name.

import type { ServiceNetwork } from '../../model/types.js';

export function withServiceMac(networks: ServiceNetwork[], mac: unknown): ServiceNetwork[] {
  if (typeof mac !== 'string' || networks.length === 0) return networks;
  const primary = networks.reduce((best, n) => (n.priority > best.priority ? n : best));
  return networks.map((n) => (n === primary && n.macAddress === undefined ? { ...n, macAddress: mac } : n));
}
