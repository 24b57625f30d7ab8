// docker's fixed resolver address inside containers: 127.0.0.11 port 53 on every user
// network, which configs hard-code (`resolver 127.0.0.11` in nginx). stack's resolver is
// its DNS server on the network's gateway, an address that changes between `up`s; a small
// nftables table in the container's own network namespace leads 127.0.0.11:53 there:
// - output: DNAT of 127.0.0.11:53 (UDP and TCP) to the gateway's port 53;
// - postrouting: the query then leaves eth0 with its loopback source, which gets the
//   container's address instead (masquerade), so the DNS server knows who asks and the
//   host's loopback guard (nat-ruleset.ts) lets it through;
// - route_localnet in the namespace: without it the kernel refuses to route a packet with a
//   loopback source out of eth0, and drops the answer addressed back to 127.0.0.1;
// - prerouting at priority raw: with route_localnet on, a neighbour on the bridge could send
//   frames to the container's 127.0.0.1 services (CVE-2020-8558 inside the container); a
//   loopback address on a packet that did not come through lo is dropped before NAT.
// Containers lack CAP_NET_ADMIN (unless privileged), so they cannot change the table.
// Made idempotent with a flush, not a delete, of the table: freeing a libnftables context
// whose transaction deleted a table (closing its netlink socket) waited 5-13 ms in the
// kernel, on the supervisor's main thread, once per container (0.01 ms after a flush).
// The table goes in as one hand-encoded nf_tables batch (fixed-resolver-table.ts) on a netlink
// socket made in the namespace, no longer through a libnftables context of its own per
// container, which parsed the text, fetched a cache and was freed again each time.

import fs from 'node:fs';
import { NftError } from './libnftables.js';
import { fixedResolverBatch, fixedResolverRuleset } from './fixed-resolver-table.js';
import { NETLINK_NETFILTER } from './nft-batch.js';
import { netlinkSocketIn, openInNetns, openNetnsOf } from './netns-socket.js';
import { FIXED_RESOLVER } from '../../../model/fixed-resolver.js';

/** Makes 127.0.0.11:53 in the network namespace of `pid` lead to the stack's DNS server on `gateway`. */
export async function installFixedResolver(pid: number, gateway: string): Promise<void> {
  const batch = fixedResolverBatch(gateway); // validates before anything is opened
  const netns = openNetnsOf(pid);
  try {
    // /proc/sys/net files belong to the namespace of whoever opens them.
    const localnet = openInNetns(netns, () => fs.openSync('/proc/sys/net/ipv4/conf/all/route_localnet', 'w'));
    try {
      fs.writeSync(localnet, '1');
    } finally {
      fs.closeSync(localnet);
    }
    try {
      const nl = netlinkSocketIn(netns, NETLINK_NETFILTER);
      try {
        nl.requestMany(batch);
      } finally {
        nl.close();
      }
    } catch (e) {
      // The same error as libnftables' refusal was: the host hint and the CLI know it.
      const cause = e instanceof Error ? e.message : String(e);
      throw new NftError(
        fixedResolverRuleset(gateway),
        `the fixed resolver's table (${FIXED_RESOLVER}) in the network namespace of pid ${pid}: ${cause}`,
        e,
      );
    }
  } finally {
    fs.closeSync(netns);
  }
}
