// Names of the host objects a stack owns. Every kernel object starts with `stk` so a leak
// is one grep away (DESIGN.md "Names and places"); link names are hashes because Linux
// allows only 15 bytes.

import { sha256Hex } from './sha256.js';

function shortHash(text: string, length: number): string {
  return sha256Hex(text).slice(0, length);
}

export function containerName(project: string, service: string, replica = 1): string {
  return `${project}-${service}-${replica}`;
}

/** The name a container shows (ps, DNS): its slot's, also while it is a replacement. */
export function shownName(c: { name: string; displayName?: string }): string {
  return c.displayName ?? c.name;
}

/**
 * The name of a container that replaces `current` in slot `slot` while `current` still
 * runs: the two alternate, so a slot never needs more than two.
 */
export function replacementName(slot: string, current: string): string {
  return current === slot ? `${slot}.b` : slot;
}

/** The slot of a container named `name` (its own name, or the one it replaces). */
export function slotOf(name: string): string {
  return name.endsWith('.b') ? name.slice(0, -2) : name;
}

/**
 * The separator of the names compose gives: `-`, or `_` under `--compatibility`
 * (COMPOSE_COMPATIBILITY), as compose v1 named them (`project_service_1`).
 */
export const nameSeparator = (compatibility: boolean | undefined): string => (compatibility ? '_' : '-');

/** The name `--compatibility` shows for a container, and its DNS answers: compose v1's `<project>_<service>_<n>`. */
export function compatibleName(project: string, service: string, replica: number): string {
  return [project, service, replica].join('_');
}

/** `stkb` + 10 hex = 14 bytes. */
export function bridgeName(project: string, networkKey: string): string {
  return `stkb${shortHash(`${project}/${networkKey}`, 10)}`;
}

/** Host end of a container's veth on one network: `stkv` + 10 hex = 14 bytes. */
export function vethName(project: string, container: string, networkKey: string): string {
  return `stkv${shortHash(`${project}/${container}/${networkKey}`, 10)}`;
}

/** nftables table: identifier characters only, with a hash so `a-b` and `a_b` differ. */
export function natTableName(project: string): string {
  return `stk_${project.replace(/[^a-zA-Z0-9_]/g, '_').slice(0, 32)}_${shortHash(project, 6)}`;
}

/** nftables table of a one-off's published ports (`run -p`): one per container, so its start and end touch no other rule (≤ 56 characters). */
export function oneOffTableName(project: string, container: string): string {
  return `${oneOffTablePrefix(project)}${shortHash(`${project}/${container}`, 8)}`;
}

/** What every one-off table of `project` starts with (its NAT table's name, which is the project's alone). */
export function oneOffTablePrefix(project: string): string {
  return `${natTableName(project)}_run_`;
}

/**
 * The volume behind a container's unnamed `volumes:` entry: one name per container and
 * target, so a recreated container gets its data back (as compose does) until `down -v`.
 */
export function anonymousVolumeName(container: string, target: string): string {
  return `${container}_anon_${shortHash(target, 12)}`;
}

/**
 * The container of step `index` (1-based) of a container's pre_start hooks: `~` is in no
 * service or container_name, so no container of a service is taken for one.
 */
export function preStartStepName(container: string, index: number): string {
  return `${container}~pre_start-${index}`;
}

export const isPreStartStep = (name: string): boolean => /~pre_start-\d+$/.test(name);
