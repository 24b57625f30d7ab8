// Stage 4: semantic rules the schema cannot express. Runs on the loaded document even when
// the schema found problems, so no rule trusts any shape. The rules live in rules/; this
// file walks the services and runs the checks that span the whole stack.

import { checkImagePlatforms } from './rules/image-platforms.js';
import { createRequire } from 'node:module';
import type { Diagnostic } from '../../model/diagnostics.js';
import { closest } from '../../model/edit-distance.js';
import { findCycle } from '../../model/graph.js';
import { diagAtPath, type PathSeg, type SourceFile } from './source-map.js';
import { checkBuild, checkBuildCycles } from './rules/build.js';
import { obj, references, type Obj, type RuleContext } from './rules/context.js';
import { checkNetworkDeclarations, checkServiceNetworking } from './rules/networking.js';
import {
  checkEndpointDriverOpts,
  checkLinkLocalIps,
  checkMacAddresses,
  checkNetworkKeys,
} from './rules/network-keys.js';
import { checkPorts, type Published } from './rules/ports.js';
import { checkReferences } from './rules/references.js';
import { checkDeclarationNameLengths, checkServiceNameLengths } from './rules/name-lengths.js';
import { checkResources } from './rules/resources.js';
import { checkCgroupKnobs } from './rules/cgroup-knobs.js';
import { checkRuntimeOptions } from './rules/runtime-options.js';
import { checkLogging } from './rules/logging.js';
import { checkDevelopWatch } from './rules/develop-watch.js';
import { checkSecurityOpts } from './rules/security-opt.js';
import { checkServiceFields } from './rules/service-fields.js';
import { checkSharedNetworkNamespace } from './rules/shared-network.js';
import { checkSharedNamespaces, impliedReferences } from './rules/shared-namespaces.js';
import { checkExternalDeclarations } from './rules/external.js';
import { checkFileObjects } from './rules/top-level.js';
import { checkVolumeDeclarations } from './rules/volumes.js';

/**
 * The keys a service may have (from the schema), to tell a misspelt key from a missing one.
 * Read only for a service with neither image nor build: the schema is 42 kB of JSON, and every
 * command that loads a stack file (a first `up` among them) paid its parse.
 */
let serviceKeys: Set<string> | undefined;
const knownServiceKeys = () =>
  (serviceKeys ??= new Set(
    Object.keys(
      (
        createRequire(import.meta.url)('../../schemas/stack.schema.json') as {
          definitions: { service: { properties: object } };
        }
      ).definitions.service.properties,
    ),
  ));

function imageOrBuild(ctx: RuleContext, name: string, svc: Obj): void {
  if (svc.image !== undefined || svc.build !== undefined) return;
  // `imgae: x` already gets "unknown key, did you mean image" from the schema.
  const keys = knownServiceKeys();
  const misspelt = Object.keys(svc).some((k) => !keys.has(k) && ['image', 'build'].includes(closest(k, keys) ?? ''));
  if (!misspelt) {
    ctx.at(
      ['services', name],
      `service "${name}" has neither "image" nor "build"; set the image to run, or a build context to build it from`,
      'key',
    );
  }
}

/** depends_on entries and the other services pid, ipc and volumes_from name (a self-reference is their rule's). */
function dependencyRefs(name: string, svc: Obj): { name: string; path: PathSeg[]; at: 'key' | 'value' }[] {
  return [
    ...references(svc, 'depends_on'),
    ...impliedReferences(svc)
      .filter((r) => r.name !== name)
      .map((r) => ({ name: r.name, path: r.path, at: 'value' as const })),
  ];
}

function cycles(ctx: RuleContext): void {
  const deps = new Map(
    ctx.names.map((n) => [
      n,
      dependencyRefs(n, ctx.services.get(n)!)
        .map((d) => d.name)
        .filter((d) => ctx.services.has(d)),
    ]),
  );
  const cycle = findCycle(deps);
  if (!cycle) return;
  const [first, second] = cycle as [string, string];
  const entry = dependencyRefs(first, ctx.services.get(first)!).find((d) => d.name === second)!;
  ctx.at(['services', first, ...entry.path], `dependency cycle: ${cycle.join(' -> ')}`, entry.at);
}

export function validateRules(
  raw: unknown,
  files: readonly SourceFile[],
  env: Record<string, string | undefined> = {},
  hostCpus?: number,
  hostLsms?: readonly string[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const root = obj(raw) ?? {};
  const services = new Map(
    Object.entries(obj(root.services) ?? {}).flatMap(([n, s]) => (obj(s) ? [[n, obj(s)!] as const] : [])),
  );
  const ctx: RuleContext = {
    root,
    services,
    names: [...services.keys()].sort(),
    declared: (section) => Object.keys(obj(root[section]) ?? {}),
    at: (path: PathSeg[], message, where = 'value') => out.push(diagAtPath(files, path, message, where)),
    env,
    ...(hostCpus === undefined ? {} : { hostCpus }),
    ...(hostLsms === undefined ? {} : { hostLsms }),
  };
  const published: Published[] = [];
  const containerNames = new Map<string, string>();
  for (const name of ctx.names) {
    const svc = services.get(name)!;
    imageOrBuild(ctx, name, svc);
    checkBuild(ctx, name, svc);
    checkReferences(ctx, name, svc);
    checkServiceNetworking(ctx, name, svc);
    checkLinkLocalIps(ctx, name, svc);
    checkMacAddresses(ctx, name, svc);
    checkEndpointDriverOpts(ctx, name, svc);
    checkSharedNetworkNamespace(ctx, name, svc);
    checkSharedNamespaces(ctx, name, svc);
    checkPorts(ctx, name, svc, published);
    checkResources(ctx, name, svc);
    checkCgroupKnobs(ctx, name, svc);
    checkRuntimeOptions(ctx, name, svc);
    checkLogging(ctx, name, svc);
    checkDevelopWatch(ctx, name, svc);
    checkSecurityOpts(ctx, name, svc);
    checkServiceNameLengths(ctx, name, svc);
    const { containerName } = checkServiceFields(ctx, name, svc);
    if (containerName === undefined) continue;
    const owner = containerNames.get(containerName);
    if (owner)
      ctx.at(
        ['services', name, 'container_name'],
        `container_name "${containerName}" of service "${name}" is already used by service "${owner}"`,
      );
    else containerNames.set(containerName, name);
  }
  cycles(ctx);
  checkImagePlatforms(ctx);
  checkBuildCycles(ctx);
  checkNetworkDeclarations(ctx);
  checkNetworkKeys(ctx);
  checkFileObjects(ctx);
  checkVolumeDeclarations(ctx);
  checkExternalDeclarations(ctx);
  checkDeclarationNameLengths(ctx);
  return out;
}
