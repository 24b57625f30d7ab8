// The nftables ruleset's generation: a number the kernel raises at every change of the
// ruleset, by anyone (NFT_MSG_GETGEN, what `nft` itself asks before it reads the ruleset).
// The same number at two times means the ruleset did not change in between, so what was
// applied then (a table, accepts in other software's chains) is all still there.

import { NetlinkSocket, parseAttrs } from './netlink.js';
import { NETLINK_NETFILTER, NFNL_SUBSYS_NFTABLES } from './nft-batch.js';

const NFT_MSG_GETGEN = 16;
const NFTA_GEN_ID = 1;
/** struct nfgenmsg: family (AF_UNSPEC), version, resource id. */
const NFGENMSG_LEN = 4;

export function rulesetGeneration(): number {
  const nl = NetlinkSocket.open(NETLINK_NETFILTER);
  try {
    const [reply] = nl.request(
      'NFT_MSG_GETGEN',
      (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETGEN,
      0,
      Buffer.alloc(NFGENMSG_LEN),
    );
    const id = reply && parseAttrs(reply.payload, NFGENMSG_LEN).get(NFTA_GEN_ID);
    if (!id) throw new Error('NFT_MSG_GETGEN: no generation in the reply');
    return id.readUInt32BE(0);
  } finally {
    nl.close();
  }
}
