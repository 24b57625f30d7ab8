// The config hash of a container: a digest over everything that shapes the running
// process. Equal hash → the running container already matches the file and is left alone.

import { createHash } from 'node:crypto';
import type { ContainerSpec } from './plan.js';

/** JSON with sorted keys, so the hash does not depend on property order. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function hashOf(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex').slice(0, 16);
}

/**
 * The hosts list is left out: it changes whenever another service comes or goes, and a
 * neighbour's arrival must not recreate this container.
 */
export function containerHash(spec: Omit<ContainerSpec, 'hash'>): string {
  const { hosts: _hosts, ...shape } = spec;
  return hashOf(shape);
}
