// Stage 5: the validated raw document → the typed Stack. Expands every short form the way
// docker compose does, so nothing after this stage looks at raw YAML. Assumes the schema
// and the rules passed. Services are done in normalize-service.ts; this file does the
// top-level networks, volumes, secrets and configs.

import { compatibility } from './coerce.js';
import { dictOrList, toBool } from './coerce.js';
import { resolveHostPath } from './mounts.js';
import { normalizeService, type EnvFileRef } from './normalize-service.js';
import type { FileObject, Network, SourcePos, Stack, Volume } from '../../model/types.js';
import { isBindDevice } from '../../model/volume-driver.js';

export { envFileRefs, type EnvFileRef } from './normalize-service.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export interface NormalizeInput {
  raw: unknown;
  project: string;
  file: string;
  projectDir: string;
  env: Env;
  /** Position of the key of service `name`. */
  servicePos: (name: string) => SourcePos;
  /**
   * The variables of one `env_file` (the loader reads and parses the files; the planner
   * stays pure). Undefined, or a missing file, contributes nothing.
   */
  envFileVars?: (ref: EnvFileRef) => Record<string, string> | undefined;
}

/** `external: true`, or the legacy `external: {name: X}`. */
function externalOf(v: Obj): { external: boolean; name?: string } {
  const e = v.external;
  if (e !== null && typeof e === 'object')
    return { external: true, name: typeof (e as Obj).name === 'string' ? ((e as Obj).name as string) : undefined };
  return { external: toBool(e) ?? false };
}

/** Name on the host: `name:`, else the key for external objects, else `<project>_<key>`. */
function nameOf(project: string, key: string, v: Obj): { external: boolean; name: string } {
  const ext = externalOf(v);
  const name = typeof v.name === 'string' ? v.name : (ext.name ?? (ext.external ? key : `${project}_${key}`));
  return { external: ext.external, name };
}

const stringMap = (v: unknown): Record<string, string> => dictOrList(v);

function network(project: string, key: string, n: Obj): Network {
  const out: Network = {
    key,
    ...nameOf(project, key, n),
    driver: typeof n.driver === 'string' ? n.driver : 'bridge',
    driverOpts: stringMap(n.driver_opts),
    internal: toBool(n.internal) ?? false,
    attachable: toBool(n.attachable) ?? false,
    enableIpv6: toBool(n.enable_ipv6) ?? false,
    labels: dictOrList(n.labels),
  };
  const config = obj(n.ipam).config;
  const entries = (Array.isArray(config) ? config : []).map(obj);
  // One entry per family, as docker takes them: the IPv6 one is told by its subnet.
  const isV6 = (e: Obj) => typeof e.subnet === 'string' && e.subnet.includes(':');
  const ipam = entries.find((e) => !isV6(e)) ?? {};
  const v6 = entries.find(isV6);
  if (v6 && typeof v6.subnet === 'string') out.subnet6 = v6.subnet;
  if (v6 && typeof v6.gateway === 'string') out.gateway6 = v6.gateway;
  if (typeof ipam.subnet === 'string') out.subnet = ipam.subnet;
  if (typeof ipam.gateway === 'string') out.gateway = ipam.gateway;
  if (typeof ipam.ip_range === 'string') out.ipRange = ipam.ip_range;
  const aux = stringMap(ipam.aux_addresses);
  if (Object.keys(aux).length > 0) out.auxAddresses = aux;
  return out;
}

function volume(input: NormalizeInput, key: string, v: Obj): Volume {
  const driverOpts = stringMap(v.driver_opts);
  // A bind device is a host path: relative to the project folder, as compose makes it.
  if (isBindDevice(driverOpts)) driverOpts.device = resolveHostPath(driverOpts.device!, input.projectDir, input.env);
  return {
    key,
    ...nameOf(input.project, key, v),
    driver: typeof v.driver === 'string' ? v.driver : 'local',
    driverOpts,
    labels: dictOrList(v.labels),
  };
}

function fileObject(input: NormalizeInput, key: string, v: Obj): FileObject {
  const out: FileObject = { key, ...nameOf(input.project, key, v) };
  if (typeof v.file === 'string') out.file = resolveHostPath(v.file, input.projectDir, input.env);
  if (typeof v.environment === 'string') {
    out.environment = v.environment;
    // Taken now, from the environment of the command that loads the file (the supervisor's
    // may be older); the planner reports an unset variable.
    const value = input.env[v.environment];
    if (value !== undefined) out.content = value;
  }
  if (typeof v.content === 'string') out.content = v.content;
  return out;
}

function section<T>(raw: unknown, make: (key: string, v: Obj) => T): T[] {
  const m = obj(raw);
  return Object.keys(m)
    .sort(byName)
    .map((key) => make(key, obj(m[key])));
}

export function normalize(input: NormalizeInput): Stack {
  const root = obj(input.raw);
  const rawServices = obj(root.services);
  const services = Object.keys(rawServices)
    .sort(byName)
    .map((name) => normalizeService(name, obj(rawServices[name]), { ...input, pos: input.servicePos(name) }));

  const declared = obj(root.networks);
  const networks = section(declared, (key, n) => network(input.project, key, n));
  const usesDefault = services.some((s) => s.networks.some((n) => n.network === 'default'));
  if (usesDefault && !('default' in declared)) networks.push(network(input.project, 'default', {}));
  networks.sort((a, b) => byName(a.key, b.key));

  return {
    ...(compatibility(input.env) ? { compatibility: true as const } : {}),
    project: input.project,
    file: input.file,
    projectDir: input.projectDir,
    services,
    networks,
    volumes: section(root.volumes, (key, v) => volume(input, key, v)),
    secrets: section(root.secrets, (key, v) => fileObject(input, key, v)),
    configs: section(root.configs, (key, v) => fileObject(input, key, v)),
  };
}
