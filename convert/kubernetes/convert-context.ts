// What every part of the conversion shares: the stack, the options, the Kubernetes name of
// each thing the stack names, and the list of warnings with where each applies.

import type { Service, SourcePos, Stack } from '../../model/types.js';
import type { ConvertOptions, ConvertWarning } from './convert-types.js';
import { dnsLabel } from './k8s-names.js';

export interface ConvertContext {
  stack: Stack;
  options: ConvertOptions;
  warnings: ConvertWarning[];
}

export function makeContext(stack: Stack, options: ConvertOptions): ConvertContext {
  return { stack, options, warnings: [] };
}

/** A warning about something under `services.<name>` (path below the service's key). */
export function warnService(ctx: ConvertContext, service: Service, path: (string | number)[], message: string): void {
  ctx.warnings.push({ pos: service.pos, path: ['services', service.name, ...path], message });
}

/** A warning about a top-level key (`volumes`, `configs`, …): located through its path in the main file. */
export function warnTop(ctx: ConvertContext, path: (string | number)[], message: string): void {
  const pos: SourcePos = { file: ctx.stack.services[0]?.pos.file ?? ctx.stack.file, line: 1, col: 1 };
  ctx.warnings.push({ pos, path, message });
}

/** The Kubernetes name of a service's workload, its Service and its DNS name. */
export const serviceObjectName = (service: Pick<Service, 'name'>): string => dnsLabel(service.name);
export const volumeClaimName = (key: string): string => dnsLabel(key);
export const configMapName = (key: string): string => dnsLabel(`config-${key}`);
export const secretName = (key: string): string => dnsLabel(`secret-${key}`);

export function serviceByName(ctx: ConvertContext, name: string): Service | undefined {
  return ctx.stack.services.find((s) => s.name === name);
}
