// nftables: stack writes its NAT, published ports and loopback guard as one nftables table
// per stack through libnftables (no nft process); the nft command is for people and tests.

import { rootOnly } from './root.js';
import { MODULES_FIX, missingPieces, type KernelPiece } from './kernel-pieces.js';
import { fail, ok, warn, type Check } from './verdict.js';

/** The kernel's side of the expressions in stack's rules (nat-ruleset.ts, fixed-resolver.ts). */
const NFT_PIECES: KernelPiece[] = [
  { module: 'nf_tables', option: 'CONFIG_NF_TABLES' },
  { module: 'nft_nat', option: 'CONFIG_NFT_NAT' },
  { module: 'nft_masq', option: 'CONFIG_NFT_MASQ' },
  { module: 'nft_ct', option: 'CONFIG_NFT_CT' },
  { module: 'nft_fib_ipv4', option: 'CONFIG_NFT_FIB_IPV4' },
];

const INSTALL = 'apt-get install nftables (dnf install nftables)';

export const nftablesCheck: Check = {
  name: 'nftables',
  async run(probe) {
    const skipped = rootOnly(probe, 'nftables', 'listing nftables');
    if (skipped) return skipped;
    const error = await probe.libnftablesError();
    if (error !== undefined) {
      const notInstalled = /not found/.test(error);
      return fail(
        'nftables',
        `libnftables cannot list the host's tables: ${error}`,
        notInstalled
          ? INSTALL
          : "the kernel needs nf_tables (modprobe nf_tables) and stack must run as root in the host's network namespace",
      );
    }
    const { missing, unknown } = missingPieces(probe, NFT_PIECES);
    if (missing.length > 0)
      return fail(
        'nftables',
        `libnftables works, but the kernel lacks ${missing.join(', ')}: stack's NAT and published ports need them`,
        MODULES_FIX.replace('NAME', missing[0]!),
      );
    const note = unknown.length > 0 ? ` (cannot tell about ${unknown.join(', ')})` : '';
    return ok('nftables', `libnftables lists the host's tables; the kernel has nat, masquerade, ct and fib${note}`);
  },
};

export const nftCommandCheck: Check = {
  name: 'nft-command',
  run(probe) {
    const nft = probe.which('nft');
    if (nft) return ok('nft-command', `${nft} (shows stack's rules: nft list ruleset)`);
    return warn(
      'nft-command',
      "no nft on PATH: stack itself needs only libnftables, but `nft list ruleset` is how you see its rules, and the tests' leak check uses it",
      INSTALL,
    );
  },
};
