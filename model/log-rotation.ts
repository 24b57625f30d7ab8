// A service's `logging:` → where its containers' output goes (docker's json-file, local and
// none drivers). Both file drivers write the same plain log here; what differs is docker's
// reading of max-size (json-file: decimal units, 10m = 10,000,000 bytes, as go-units'
// FromHumanSize; local: binary units, as RAMInBytes) and local's defaults (20m × 5 files,
// docker's "100MB per container"). The loader's rule (planner/load/rules/logging.ts) reports
// what `logConfig` cannot read, at its line, with the messages here.

import type { LogConfig } from './plan.js';
import type { LogDriver, ServiceLogging } from './types.js';

const UNITS: Record<string, number> = { '': 0, k: 1, m: 2, g: 3, t: 4, p: 5 };
const LOCAL_DEFAULTS = { maxBytes: 20 * 1024 * 1024, maxFiles: 5 };

/** docker's size syntax: `10m`, `1.5g`, `512k`, `100mb`, `20MiB`, a plain number of bytes. */
export function parseLogSize(value: string, driver: LogDriver): number | undefined {
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp]?)i?b?$/i.exec(value.trim());
  if (!m) return undefined;
  const base = driver === 'local' ? 1024 : 1000;
  return Math.floor(Number(m[1]) * base ** UNITS[m[2]!.toLowerCase()]!);
}

/** What is wrong with one option's value (docker's own wording where it has one), or undefined. */
export function logOptionProblem(driver: LogDriver, option: string, value: string): string | undefined {
  if (driver === 'none') return undefined; // docker takes any option for none, and keeps nothing either way
  if (option === 'max-size') {
    const bytes = parseLogSize(value, driver);
    if (bytes === undefined) return `max-size takes a size such as 10m (units k, m, g), not "${value}"`;
    if (bytes <= 0) return 'max-size must be a positive number';
  }
  if (option === 'max-file' && !(/^\d+$/.test(value) && Number(value) >= 1))
    return `max-file takes a whole number of files, 1 or more, not "${value}"`;
  return undefined;
}

/** The container's log configuration; undefined without `logging:` (one file, never rotated, as docker's default). */
export function logConfig(logging: ServiceLogging | undefined): LogConfig | undefined {
  if (!logging) return undefined;
  const { driver = 'json-file', options } = logging;
  if (driver === 'none') return { driver };
  const size = options['max-size'] === undefined ? undefined : parseLogSize(options['max-size'], driver);
  const files = options['max-file'] === undefined ? undefined : Number(options['max-file']);
  const defaults = driver === 'local' ? LOCAL_DEFAULTS : {};
  const config: LogConfig = { driver, ...defaults };
  if (size !== undefined) config.maxBytes = size;
  if (files !== undefined) config.maxFiles = files;
  // docker: max-file only counts once max-size is set; without it the one file grows.
  if (config.maxBytes === undefined) delete config.maxFiles;
  return config;
}
