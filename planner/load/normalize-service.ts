// One validated `services.NAME` mapping → a Service, every short form expanded and every
// default filled the way docker compose fills it (see service-defaults.ts for the values
// used when the file says nothing). Assumes the schema and the rules passed.

import { compatibility, dictOrList, environment, parseSize, stringList, toBool, toInt, toNumber } from './coerce.js';
import { nameSeparator } from '../../model/names.js';
import { fileGrant, parseTmpfs, parseVolume, resolveHostPath } from './mounts.js';
import { exposeEntry, parsePorts } from './ports.js';
import { normalizeBuild } from './build-spec.js';
import { extraHosts } from './extra-hosts.js';
import { serviceLogging } from './logging.js';
import { cgroupKnobs, groupAdd } from './cgroup-knobs.js';
import { serviceDefaults } from './service-defaults.js';
import { linkList, namespaceModes, volumesFrom, withImpliedDependencies } from './shared-namespaces.js';
import { lifecycleHooks } from './lifecycle-hooks.js';
import { developOf } from './develop-watch.js';
import { withServiceMac } from './mac-address.js';
import { withEndpointOptions } from './endpoint-options.js';
import { shellSplit } from './short-forms.js';
import { layeredEnv } from './interpolate.js';
import { parseDuration } from '../../model/duration.js';
import type {
  Dependency,
  DependencyCondition,
  PullPolicy,
  Resources,
  RestartPolicy,
  Service,
  ServiceHealthcheck,
  ServiceNetwork,
  SourcePos,
  Ulimit,
  VolumeMount,
} from '../../model/types.js';

type Obj = Record<string, unknown>;
type Env = Record<string, string | undefined>;
const obj = (v: unknown): Obj => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** One `env_file` entry, its path resolved. */
export interface EnvFileRef {
  path: string;
  /** `required: false`: a missing file is skipped. */
  required: boolean;
  /** `format: raw`: values are taken literally (no quotes, no interpolation). */
  format?: string;
}

export interface ServiceContext {
  project: string;
  projectDir: string;
  env: Env;
  pos: SourcePos;
  /** The variables of one env_file (read by the loader); undefined when it was not read. */
  envFileVars?: (ref: EnvFileRef) => Record<string, string> | undefined;
}

/** The `env_file` entries of a raw service, in order. */
export function envFileRefs(v: unknown, projectDir: string, env: Env = {}): EnvFileRef[] {
  const list = typeof v === 'string' ? [v] : Array.isArray(v) ? v : [];
  return list.map((e) => {
    const entry = typeof e === 'string' ? { path: e } : obj(e);
    const ref: EnvFileRef = {
      path: resolveHostPath(String(entry.path), projectDir, env),
      required: toBool(entry.required) ?? true,
    };
    if (typeof entry.format === 'string') ref.format = entry.format;
    return ref;
  });
}

const ms = (v: unknown, fallback: number): number => {
  const s = v === undefined ? undefined : parseDuration(v as string | number);
  return s === undefined ? fallback : Math.round(s * 1000);
};

function argv(v: unknown): string[] | undefined {
  if (typeof v === 'string') return shellSplit(v);
  return Array.isArray(v) ? v.map(String) : undefined;
}

function dependencies(v: unknown): Dependency[] {
  const entries: [string, Obj][] = Array.isArray(v)
    ? v.map((n) => [String(n), {}])
    : Object.entries(obj(v)).map(([k, c]) => [k, obj(c)]);
  const seen = new Map<string, Dependency>();
  for (const [service, c] of entries) {
    seen.set(service, {
      service,
      condition: (typeof c.condition === 'string' ? c.condition : 'service_started') as DependencyCondition,
      required: toBool(c.required) ?? true,
      restart: toBool(c.restart) ?? false,
    });
  }
  return [...seen.values()].sort((a, b) => byName(a.service, b.service));
}

function serviceNetworks(v: unknown, networkMode: string | undefined): ServiceNetwork[] {
  if (networkMode !== undefined) return [];
  const list: [string, unknown][] = Array.isArray(v) ? v.map((n) => [String(n), null]) : Object.entries(obj(v));
  if (list.length === 0) list.push(['default', null]);
  return list
    .map(([network, cfg]) => {
      const c = obj(cfg);
      const sn: ServiceNetwork = {
        network,
        aliases: stringList(c.aliases),
        gwPriority: toInt(c.gw_priority) ?? 0,
        priority: toInt(c.priority) ?? 0,
      };
      if (typeof c.ipv4_address === 'string') sn.ipv4Address = c.ipv4_address;
      if (typeof c.ipv6_address === 'string') sn.ipv6Address = c.ipv6_address;
      const linkLocal = stringList(c.link_local_ips);
      if (linkLocal.length > 0) sn.linkLocalIps = linkLocal;
      if (typeof c.interface_name === 'string') sn.interfaceName = c.interface_name;
      if (typeof c.mac_address === 'string') sn.macAddress = c.mac_address;
      return withEndpointOptions(sn, dictOrList(c.driver_opts));
    })
    .sort((a, b) => byName(a.network, b.network));
}

/** A duration the file gives, or undefined when it leaves the key out. */
const givenMs = (v: unknown): number | undefined => (v === undefined ? undefined : ms(v, 0));

/** Only what the file says: missing fields are filled from the image, then docker's defaults, per container (effective-healthcheck.ts). */
function healthcheck(v: unknown): ServiceHealthcheck | undefined {
  if (v === undefined || v === null) return undefined;
  const h = obj(v);
  const test = typeof h.test === 'string' ? ['CMD-SHELL', h.test] : Array.isArray(h.test) ? h.test.map(String) : [];
  const disable = toBool(h.disable) === true || test[0] === 'NONE';
  return {
    test: disable ? [] : test,
    intervalMs: givenMs(h.interval),
    timeoutMs: givenMs(h.timeout),
    retries: toInt(h.retries),
    startPeriodMs: givenMs(h.start_period),
    startIntervalMs: givenMs(h.start_interval),
    disable,
  };
}

const CONDITIONS: Record<string, RestartPolicy['name']> = { none: 'no', 'on-failure': 'on-failure', any: 'always' };

/** `restart:` wins; without it compose falls back to deploy.restart_policy. */
function restartPolicy(restart: unknown, deploy: Obj): RestartPolicy {
  if (typeof restart === 'string') {
    const [name, retries] = restart.split(':');
    const policy: RestartPolicy = { name: name as RestartPolicy['name'] };
    if (retries !== undefined) policy.maxRetries = Number(retries);
    return policy;
  }
  const rp = obj(deploy.restart_policy);
  if (Object.keys(rp).length === 0) return { name: 'no' };
  const policy: RestartPolicy = { name: CONDITIONS[String(rp.condition ?? 'any')] ?? 'always' };
  const max = toInt(rp.max_attempts);
  if (max !== undefined) policy.maxRetries = max;
  if (rp.delay !== undefined) policy.delayMs = ms(rp.delay, 0);
  if (rp.window !== undefined) policy.windowMs = ms(rp.window, 0);
  return policy;
}

/** Service-level limits, with deploy.resources taking over where it sets a value (as compose does). */
function resources(s: Obj, deploy: Obj): Resources {
  const limits = obj(obj(deploy.resources).limits);
  const reservations = obj(obj(deploy.resources).reservations);
  const r: Resources = {};
  type NumberKey = { [K in keyof Resources]-?: Resources[K] extends number | undefined ? K : never }[keyof Resources];
  const set = (key: NumberKey, value: number | undefined) => {
    if (value !== undefined) r[key] = value;
  };
  set('memoryBytes', parseSize(limits.memory) ?? parseSize(s.mem_limit));
  set('memorySwapBytes', parseSize(s.memswap_limit));
  set('memoryReservationBytes', parseSize(reservations.memory) ?? parseSize(s.mem_reservation));
  set('cpus', toNumber(limits.cpus) ?? toNumber(s.cpus));
  set('cpuShares', toInt(s.cpu_shares));
  set('pidsLimit', toInt(limits.pids) ?? toInt(s.pids_limit));
  return { ...r, ...cgroupKnobs(s) };
}

function ulimits(v: unknown): Record<string, Ulimit> {
  const out: Record<string, Ulimit> = {};
  for (const [name, value] of Object.entries(obj(v))) {
    const n = toInt(value);
    out[name] =
      n !== undefined ? { soft: n, hard: n } : { soft: toInt(obj(value).soft) ?? 0, hard: toInt(obj(value).hard) ?? 0 };
  }
  return out;
}

/** `HOST:IP`, `HOST=IP` or a map HOST → IP (or list of IPs); IPv6 may be bracketed. */
function mounts(list: unknown, parse: (e: unknown) => { ok: true; mount: VolumeMount } | { ok: false }): VolumeMount[] {
  return (Array.isArray(list) ? list : []).flatMap((e) => {
    const r = parse(e);
    return r.ok ? [r.mount] : [];
  });
}

function fileEnvironment(s: Obj, ctx: ServiceContext): Record<string, string> {
  const fromFiles: Record<string, string> = {};
  for (const ref of envFileRefs(s.env_file, ctx.projectDir, ctx.env))
    Object.assign(fromFiles, ctx.envFileVars?.(ref) ?? {});
  // A bare `KEY` in `environment` may also take its value from an env_file.
  return { ...fromFiles, ...environment(s.environment, layeredEnv(fromFiles, ctx.env)) };
}

export function normalizeService(name: string, s: Obj, ctx: ServiceContext): Service {
  const deploy = obj(s.deploy);
  const networkMode = typeof s.network_mode === 'string' ? s.network_mode : undefined;
  const buildSpec = normalizeBuild(s.build, ctx);
  // compose's default name of a built image: `<project>-<service>` (`_` under --compatibility).
  const image = typeof s.image === 'string' ? s.image : `${ctx.project}${nameSeparator(compatibility(ctx.env))}${name}`;
  const namespaces = namespaceModes(s);
  const sharedVolumes = volumesFrom(s.volumes_from);
  const links = linkList(s.links);
  // Every member is set in place, in the order serviceDefaults gives them (the order the
  // Stack is printed in): one object per service and no copies, which a large stack feels.
  const out = serviceDefaults(name, image, ctx.pos);
  if (typeof s.image !== 'string') out.imageUnnamed = true;
  out.pullPolicy = (typeof s.pull_policy === 'string' ? s.pull_policy : 'missing') as PullPolicy;
  out.environment = fileEnvironment(s, ctx);
  if (Array.isArray(s.ports))
    out.ports = s.ports.flatMap((p) => {
      const r = parsePorts(p);
      return r.ok ? r.ports : [];
    });
  if (Array.isArray(s.expose)) out.expose = s.expose.map(exposeEntry);
  out.dependsOn = withImpliedDependencies(dependencies(s.depends_on), namespaces, sharedVolumes, links);
  out.networks = withServiceMac(serviceNetworks(s.networks, networkMode), s.mac_address);
  if (s.volumes !== undefined) out.volumes = mounts(s.volumes, (e) => parseVolume(e, ctx.projectDir, ctx.env));
  if (s.tmpfs !== undefined) out.tmpfs = mounts(stringList(s.tmpfs), (e) => parseTmpfs(String(e)));
  if (Array.isArray(s.secrets)) out.secrets = s.secrets.map((e) => fileGrant(e, 'secrets'));
  if (Array.isArray(s.configs)) out.configs = s.configs.map((e) => fileGrant(e, 'configs'));
  out.restart = restartPolicy(s.restart, deploy);
  out.replicas = toInt(deploy.replicas) ?? toInt(s.scale) ?? 1;
  out.resources = resources(s, deploy);
  out.labels = dictOrList(s.labels);
  out.capAdd = stringList(s.cap_add);
  out.capDrop = stringList(s.cap_drop);
  out.privileged = toBool(s.privileged) ?? false;
  out.readOnly = toBool(s.read_only) ?? false;
  out.securityOpt = stringList(s.security_opt);
  out.init = toBool(s.init) ?? false;
  out.tty = toBool(s.tty) ?? false;
  out.stdinOpen = toBool(s.stdin_open) ?? false;
  out.sysctls = dictOrList(s.sysctls);
  out.ulimits = ulimits(s.ulimits);
  out.extraHosts = extraHosts(s.extra_hosts);
  out.dns = stringList(s.dns);
  out.dnsSearch = stringList(s.dns_search);
  out.dnsOpt = stringList(s.dns_opt);
  if (s.stop_grace_period !== undefined)
    out.stopGracePeriodSeconds = parseDuration(s.stop_grace_period as string | number) ?? 10;
  out.profiles = stringList(s.profiles);
  // What the file may leave out altogether: a member only when it has a value.
  const set = <K extends keyof Service>(key: K, value: Service[K] | undefined) => {
    if (value !== undefined) out[key] = value;
  };
  set('build', buildSpec);
  set('platform', typeof s.platform === 'string' ? s.platform : undefined);
  set('stopSignal', typeof s.stop_signal === 'string' ? s.stop_signal : undefined);
  set('entrypoint', argv(s.entrypoint));
  set('command', argv(s.command));
  set('networkMode', networkMode);
  if ((networkMode === 'bridge' || networkMode === 'default') && typeof s.mac_address === 'string')
    out.bridgeMac = s.mac_address;
  set('namespaces', namespaces);
  set('volumesFrom', sharedVolumes);
  set('links', links);
  set('externalLinks', linkList(s.external_links));
  set('healthcheck', healthcheck(s.healthcheck));
  set('containerName', typeof s.container_name === 'string' ? s.container_name : undefined);
  set('hostname', typeof s.hostname === 'string' ? s.hostname : undefined);
  set('domainname', typeof s.domainname === 'string' ? s.domainname : undefined);
  set('user', s.user === undefined || s.user === null ? undefined : String(s.user));
  set('groupAdd', groupAdd(s.group_add));
  set('workingDir', typeof s.working_dir === 'string' ? s.working_dir : undefined);
  set('shmSizeBytes', parseSize(s.shm_size));
  set('develop', developOf(s.develop, ctx.projectDir, ctx.env));
  set('logging', serviceLogging(s.logging));
  if (toBool(s.attach) === false) out.attach = false;
  if (s.annotations !== undefined) out.annotations = dictOrList(s.annotations);
  set('preStart', lifecycleHooks(s.pre_start, ctx.env));
  set('postStart', lifecycleHooks(s.post_start, ctx.env));
  set('preStop', lifecycleHooks(s.pre_stop, ctx.env));
  return out;
}
