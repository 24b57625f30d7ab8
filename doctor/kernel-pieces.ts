// Whether a piece of the kernel (overlayfs, veth, bridge, the nftables expressions stack's
// rules use) is there: loaded, built in, or a module the kernel can load on first use.
// The module lists answer first; the kernel's config (/proc/config.gz, /boot/config-*)
// settles built-in pieces without a /sys/module entry and hosts without /lib/modules.

import type { DoctorProbe } from '../executor/host/linux/doctor-probe.js';

export interface KernelPiece {
  module: string;
  option: string;
}

export type PieceState = 'loaded' | 'built-in' | 'loadable' | 'missing' | 'unknown';

export function pieceState(probe: DoctorProbe, piece: KernelPiece): PieceState {
  const state = probe.module(piece.module);
  if (state !== 'absent' && state !== 'unknown') return state;
  const config = probe.kernelConfig(piece.option);
  if (config === 'y') return 'built-in';
  // Configured as a module but not on disk: the modules package is not installed.
  if (config === 'm') return state === 'absent' ? 'missing' : 'unknown';
  if (config === '') return 'missing';
  return state === 'absent' ? 'missing' : 'unknown';
}

/** The pieces in `pieces` that are missing, and those nothing could tell about. */
export function missingPieces(probe: DoctorProbe, pieces: KernelPiece[]): { missing: string[]; unknown: string[] } {
  const states = pieces.map((p) => [p.module, pieceState(probe, p)] as const);
  return {
    missing: states.filter(([, s]) => s === 'missing').map(([m]) => m),
    unknown: states.filter(([, s]) => s === 'unknown').map(([m]) => m),
  };
}

export const MODULES_FIX =
  "load them (modprobe NAME) or install the kernel's modules (Ubuntu: apt-get install linux-modules-extra-$(uname -r)); a kernel built without them cannot run stack";
