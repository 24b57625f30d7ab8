// Stage 5: the validated raw document → the typed Stack. Expands every short form the way
// docker compose does, so nothing after this stage looks at raw YAML. Assumes the schema
// and the rules passed.

import { serviceDefaults } from './service-defaults.js';
import { parseDuration, parsePort, shellSplit } from './short-forms.js';
import type { Dependency, DependencyCondition, Network, PortMapping, Service, ServiceNetwork, SourcePos, Stack, Volume } from './types.js';

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
}

function argv(v: unknown): string[] | undefined {
  if (typeof v === 'string') return shellSplit(v);
  return Array.isArray(v) ? v.map(String) : undefined;
}

function scalarString(v: unknown): string {
  return typeof v === 'string' ? v : String(v);
}

export function environment(v: unknown, env: Env): Record<string, string> {
  const out: Record<string, string> = {};
  const set = (key: string, value: string | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  if (Array.isArray(v)) {
    for (const entry of v.map(String)) {
      const eq = entry.indexOf('=');
      if (eq < 0) set(entry, env[entry]);
      else set(entry.slice(0, eq), entry.slice(eq + 1));
    }
  } else {
    for (const [key, value] of Object.entries(obj(v))) set(key, value === null ? env[key] : scalarString(value));
  }
  return out;
}

function names(v: unknown): string[] {
  return Array.isArray(v) ? v.map(String) : Object.keys(obj(v));
}

function dependencies(v: unknown): Dependency[] {
  const entries: [string, Obj][] = Array.isArray(v) ? v.map((n) => [String(n), {}]) : Object.entries(obj(v)).map(([k, c]) => [k, obj(c)]);
  const seen = new Map<string, Dependency>();
  for (const [service, c] of entries) {
    seen.set(service, {
      service,
      condition: (typeof c.condition === 'string' ? c.condition : 'service_started') as DependencyCondition,
      required: c.required !== false,
      restart: c.restart === true,
    });
  }
  return [...seen.values()].sort((a, b) => byName(a.service, b.service));
}

function serviceNetworks(v: unknown): ServiceNetwork[] {
  if (v === undefined || v === null || names(v).length === 0) return [{ network: 'default', aliases: [], gwPriority: 0, priority: 0 }];
  const list = Array.isArray(v) ? v.map((n) => [String(n), null] as const) : Object.entries(obj(v));
  return list
    .map(([network, cfg]) => {
      const c = obj(cfg);
      const sn: ServiceNetwork = { network, aliases: Array.isArray(c.aliases) ? c.aliases.map(String) : [], gwPriority: 0, priority: 0 };
      if (typeof c.ipv4_address === 'string') sn.ipv4Address = c.ipv4_address;
      return sn;
    })
    .sort((a, b) => byName(a.network, b.network));
}

function service(name: string, s: Obj, input: NormalizeInput): Service {
  const out: Service = {
    ...serviceDefaults(name, scalarString(s.image), input.servicePos(name)),
    environment: environment(s.environment, input.env),
    ports: (Array.isArray(s.ports) ? s.ports : []).map(parsePort).filter((p): p is PortMapping => p !== undefined),
    dependsOn: dependencies(s.depends_on),
    networks: serviceNetworks(s.networks),
    stopSignal: typeof s.stop_signal === 'string' ? s.stop_signal : 'SIGTERM',
    stopGracePeriodSeconds: s.stop_grace_period === undefined ? 10 : parseDuration(s.stop_grace_period as string | number) ?? 10,
  };
  const entrypoint = argv(s.entrypoint);
  const command = argv(s.command);
  if (entrypoint) out.entrypoint = entrypoint;
  if (command) out.command = command;
  if (typeof s.working_dir === 'string') out.workingDir = s.working_dir;
  if (typeof s.hostname === 'string') out.hostname = s.hostname;
  return out;
}

function network(project: string, key: string, n: Obj): Network {
  const external = n.external === true;
  const name = typeof n.name === 'string' ? n.name : external ? key : `${project}_${key}`;
  const out: Network = { key, name, external, driver: 'bridge', driverOpts: {}, internal: n.internal === true, attachable: false, enableIpv6: false, labels: {} };
  const config = obj(n.ipam).config;
  const ipam = obj(Array.isArray(config) ? config[0] : undefined);
  if (typeof ipam.subnet === 'string') out.subnet = ipam.subnet;
  if (typeof ipam.gateway === 'string') out.gateway = ipam.gateway;
  return out;
}

function volume(project: string, key: string, v: Obj): Volume {
  const external = v.external === true;
  const name = typeof v.name === 'string' ? v.name : external ? key : `${project}_${key}`;
  return { key, name, external, driver: 'local', driverOpts: {}, labels: {} };
}

export function normalize(input: NormalizeInput): Stack {
  const root = obj(input.raw);
  const rawServices = obj(root.services);
  const services = Object.keys(rawServices)
    .sort(byName)
    .map((name) => service(name, obj(rawServices[name]), input));

  const declared = obj(root.networks);
  const networks = Object.keys(declared).map((key) => network(input.project, key, obj(declared[key])));
  const usesDefault = services.some((s) => s.networks.some((n) => n.network === 'default'));
  if (usesDefault && !('default' in declared)) networks.push(network(input.project, 'default', {}));
  networks.sort((a, b) => byName(a.key, b.key));

  const rawVolumes = obj(root.volumes);
  const volumes = Object.keys(rawVolumes)
    .sort(byName)
    .map((key) => volume(input.project, key, obj(rawVolumes[key])));

  return { project: input.project, file: input.file, projectDir: input.projectDir, services, networks, volumes, secrets: [], configs: [] };
}
