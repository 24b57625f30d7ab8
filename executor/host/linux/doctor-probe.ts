// What `stack doctor` asks of the host, behind one small interface: the checks (doctor/)
// decide the verdicts from these answers, and their tests answer with a fake host that
// lacks whatever piece a test wants missing. Every method only looks: nothing here changes
// the host, except canCreateDir and overlayTrial, which undo what they make.

import type { BaseChain } from './doctor-base-chains.js';

export type { BaseChain } from './doctor-base-chains.js';

/** What statfs says about the filesystem holding a folder (or its nearest existing parent). */
export interface FilesystemInfo {
  /** The folder statfs looked at: the asked one, or its nearest parent that exists. */
  path: string;
  /** overlay, tmpfs, ext4, … (the f_type's name; hex when unknown). */
  type: string;
  freeBytes: number;
  /** 0 when the filesystem has no inode limit (btrfs, …). */
  totalInodes: number;
  freeInodes: number;
}

/** A kernel module (or built-in piece): in the running kernel, loadable from disk, or neither. */
export type ModuleState = 'loaded' | 'built-in' | 'loadable' | 'absent' | 'unknown';

export type OverlayTrial = { mounted: true } | { mounted: false; error: string } | { untested: string };

/** What lstat says about a file: its owner and mode bits (setuid included), and whether it is a folder. */
export interface FileStat {
  uid: number;
  mode: number;
  isDirectory: boolean;
}

export interface CommandResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface DoctorProbe {
  euid(): number;
  /** `uname -r`. */
  kernelRelease(): string;
  /** A file's text (under /proc or /sys, mostly), undefined when it is absent or unreadable. */
  read(file: string): string | undefined;
  exists(file: string): boolean;
  /** The file's owner and mode (not following a last symlink), undefined when it is absent. */
  stat(file: string): FileStat | undefined;
  /** Whether this process may write the file (a read-only /proc/sys says no). */
  writable(file: string): boolean;
  /** A kernel config option (`y`, `m`), '' when not set, undefined when the kernel publishes no config. */
  kernelConfig(option: string): string | undefined;
  module(name: string): ModuleState;
  /** The path of `command` on PATH, undefined when there is none. */
  which(command: string): string | undefined;
  /** Runs a command without a shell; undefined when it cannot be started. */
  run(command: string, args: string[]): CommandResult | undefined;
  /** undefined when libnftables loads and lists the host's tables; else why not. */
  libnftablesError(): Promise<string | undefined>;
  /** The base chains of nftables and of legacy iptables; a string says why they cannot be listed. */
  baseChains(): Promise<BaseChain[] | string>;
  /** true/false for an ELF file with/without a program interpreter; undefined when no ELF is there. */
  isStaticElf(file: string): boolean | undefined;
  filesystem(dir: string): FilesystemInfo | undefined;
  /** 'exists' or 'created' (and removed again) when `dir` can be made, else the error code. */
  canCreateDir(dir: string): string;
  /** Mounts a throwaway overlay with its upper and work dirs in `dir` (in a mount namespace of its own). */
  overlayTrial(dir: string): OverlayTrial;
  env(name: string): string | undefined;
  /** The native init stage (dist/stack-init) when built and not switched off by STACK_INIT_STAGE=node. */
  nativeStage(): string | undefined;
}
