// `logging:` → ServiceLogging: the driver (json-file when left out, as docker's default)
// and the options as strings, the way compose-go keeps them (`max-file: 3` is "3").

import type { ServiceLogging } from '../../model/types.js';

export function serviceLogging(v: unknown): ServiceLogging | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { driver, options } = v as Record<string, unknown>;
  const given = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : {};
  return {
    driver: (typeof driver === 'string' ? driver : 'json-file') as ServiceLogging['driver'],
    options: Object.fromEntries(
      Object.entries(given)
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([k, value]) => [k, String(value)]),
    ),
  };
}
