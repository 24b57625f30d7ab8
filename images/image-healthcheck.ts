// An image config's HEALTHCHECK (docker's `config.Healthcheck`: Test, Interval, Timeout,
// StartPeriod, StartInterval in nanoseconds, Retries) as the image record keeps it: in
// milliseconds, with docker's 0 ("not set", inherit the default) left out, so the planner
// can merge it with the file's healthcheck field by field as docker does.

import type { PartialHealthcheck } from '../model/types.js';
import { ImageFormatError } from './image-format-error.js';

export interface DockerHealthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

const DURATIONS = [
  ['Interval', 'intervalMs'],
  ['Timeout', 'timeoutMs'],
  ['StartPeriod', 'startPeriodMs'],
  ['StartInterval', 'startIntervalMs'],
] as const;

const NS_PER_MS = 1_000_000;

const isCount = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * The record's form of `raw`; undefined when the image has no HEALTHCHECK. The config is
 * untrusted input: a malformed one is an ImageFormatError (docker would fail to decode it).
 */
export function imageHealthcheck(
  raw: DockerHealthcheck | null | undefined,
  what: string,
): PartialHealthcheck | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object') throw new ImageFormatError(`${what}: config.Healthcheck is not an object`);
  const test = raw.Test ?? [];
  if (!Array.isArray(test) || !test.every((t) => typeof t === 'string')) {
    throw new ImageFormatError(`${what}: config.Healthcheck.Test is not a list of strings`);
  }
  const hc: PartialHealthcheck = { test };
  for (const [key, field] of DURATIONS) {
    const ns = raw[key] ?? 0;
    if (!isCount(ns)) throw new ImageFormatError(`${what}: config.Healthcheck.${key} is not a duration in nanoseconds`);
    // Rounded up: a positive duration below 1 ms must not become 0, which means "use the default".
    if (ns > 0) hc[field] = Math.ceil(ns / NS_PER_MS);
  }
  const retries = raw.Retries ?? 0;
  if (!isCount(retries)) throw new ImageFormatError(`${what}: config.Healthcheck.Retries is not a whole number`);
  if (retries > 0) hc.retries = retries;
  return hc;
}

/** Shape check of a healthcheck read back from an image record. */
export function isRecordedHealthcheck(v: unknown): v is PartialHealthcheck {
  if (typeof v !== 'object' || v === null) return false;
  const h = v as Record<string, unknown>;
  const fields = [...DURATIONS.map(([, field]) => field), 'retries'];
  return (
    Array.isArray(h.test) &&
    h.test.every((t) => typeof t === 'string') &&
    fields.every((f) => h[f] === undefined || isCount(h[f]))
  );
}
