// `logging:` → ServiceLogging: the driver when written (json-file when left out, docker's
// default: model/log-rotation.ts) and the options as strings, the way compose-go keeps them (`max-file: 3` is "3").

import type { LogDriver, ServiceLogging } from '../../model/types.js';

export function serviceLogging(v: unknown): ServiceLogging | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const { driver, options } = v as Record<string, unknown>;
  const given = options !== null && typeof options === 'object' ? (options as Record<string, unknown>) : {};
  return {
    ...(typeof driver === 'string' ? { driver: driver as LogDriver } : {}),
    options: Object.fromEntries(
      Object.entries(given)
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([k, value]) => [k, String(value)]),
    ),
  };
}
