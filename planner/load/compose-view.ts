// The Stack written back in Compose spelling, the way `docker compose config` prints a
// resolved project: long forms everywhere (ports, volumes, secrets, depends_on), defaults
// compose fills (networks.default, depends_on condition/required, bind create_host_path,
// build dockerfile), durations as Go prints them (1m30s), sizes in bytes; keys sorted.
// Attributes left at their defaults are omitted, as compose omits unset ones.

import type {
  BuildSpec,
  FileObject,
  Network,
  PortMapping,
  Service,
  Stack,
  Volume,
  VolumeMount,
} from '../../model/types.js';
import { sysctlText, SYSCTLS_OPTION } from '../../model/endpoint-options.js';
import { effectiveHealthcheck } from '../../model/effective-healthcheck.js';
import { volumesFromText } from './shared-namespaces.js';
import { cgroupKnobsView } from './cgroup-knobs-view.js';
import type { ServiceHook } from '../../model/lifecycle-hooks.js';

type Obj = Record<string, unknown>;

/** Go's time.Duration.String for a whole number of milliseconds: 1m30s, 500ms, 1h0m0s, 0s. */
export function goDuration(msTotal: number): string {
  if (msTotal === 0) return '0s';
  if (msTotal < 1000) return `${msTotal}ms`;
  const h = Math.floor(msTotal / 3_600_000);
  const m = Math.floor((msTotal % 3_600_000) / 60_000);
  const s = (msTotal % 60_000) / 1000;
  const sec = `${Number(s.toFixed(3))}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  return m > 0 ? `${m}m${sec}` : sec;
}

/** Keys of every mapping sorted (lists keep their order), as compose prints them. */
function sortDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortDeep);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Obj;
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, sortDeep(o[k])]),
  );
}

/** Drops undefined values, empty lists/maps and false booleans. */
function compact(o: Obj): Obj {
  const out: Obj = {};
  for (const key of Object.keys(o)) {
    const v = o[key];
    if (v === undefined || v === false) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length === 0) continue;
    out[key] = v;
  }
  return out;
}

const hooks = (list: ServiceHook[] | undefined) =>
  list?.map((h) =>
    compact({
      command: h.command,
      environment: h.environment,
      privileged: h.privileged,
      user: h.user,
      working_dir: h.workingDir,
    }),
  );

const octal = (mode: number | undefined) => (mode === undefined ? undefined : `0${mode.toString(8)}`);

function port(p: PortMapping): Obj {
  const published =
    p.hostPort === 0 ? undefined : p.hostPortEnd !== undefined ? `${p.hostPort}-${p.hostPortEnd}` : String(p.hostPort);
  return compact({
    mode: 'ingress',
    host_ip: p.hostIp,
    target: p.containerPort,
    published,
    protocol: p.protocol,
    name: p.name,
  });
}

function mount(v: VolumeMount): Obj {
  const sub =
    v.type === 'bind'
      ? { bind: compact({ create_host_path: v.createHostPath, propagation: v.propagation }) }
      : v.type === 'volume'
        ? { volume: compact({ nocopy: v.noCopy }) }
        : v.type === 'image'
          ? { image: compact({ subpath: v.subpath }) }
          : { tmpfs: compact({ size: v.tmpfsSize, mode: octal(v.tmpfsMode) }) };
  return { ...compact({ type: v.type, source: v.source, target: v.target, read_only: v.readOnly }), ...sub };
}

function tmpfsEntry(v: VolumeMount): string {
  const opts = [
    v.tmpfsSize !== undefined ? `size=${v.tmpfsSize}` : '',
    v.tmpfsMode !== undefined ? `mode=${v.tmpfsMode.toString(8)}` : '',
    v.readOnly ? 'ro' : '',
  ].filter(Boolean);
  return opts.length ? `${v.target}:${opts.join(',')}` : v.target;
}

function restart(s: Service): Obj {
  const r = s.restart;
  const word = r.name === 'on-failure' && r.maxRetries !== undefined ? `on-failure:${r.maxRetries}` : r.name;
  if (r.delayMs === undefined && r.windowMs === undefined) return { restart: r.name === 'no' ? undefined : word };
  const condition = { no: 'none', always: 'any', 'unless-stopped': 'any', 'on-failure': 'on-failure' }[r.name];
  const policy = compact({
    condition,
    max_attempts: r.maxRetries,
    delay: r.delayMs === undefined ? undefined : goDuration(r.delayMs),
    window: r.windowMs === undefined ? undefined : goDuration(r.windowMs),
  });
  return { deploy: { restart_policy: policy } };
}

function build(b: BuildSpec): Obj {
  return compact({
    additional_contexts: b.additionalContexts,
    args: b.args,
    context: b.context,
    dockerfile: b.dockerfileInline === undefined ? (b.dockerfile ?? 'Dockerfile') : undefined,
    dockerfile_inline: b.dockerfileInline,
    extra_hosts: b.extraHosts.map((e) => `${e.host}=${e.ip}`),
    labels: b.labels,
    network: b.network === 'default' ? undefined : b.network,
    no_cache: b.noCache,
    platforms: b.platforms,
    pull: b.pull,
    secrets: b.secrets.map((x) => (x.id === x.source ? { source: x.source } : { source: x.source, target: x.id })),
    shm_size: b.shmSizeBytes === undefined ? undefined : String(b.shmSizeBytes),
    tags: b.tags,
    target: b.target,
  });
}

function service(s: Service): Obj {
  // No image here: what the file leaves out is shown with docker's defaults, as before images counted.
  const h = s.healthcheck && effectiveHealthcheck(s.healthcheck, undefined);
  const res = s.resources;
  const bytes = (n: number | undefined) => (n === undefined ? undefined : String(n));
  const out = compact({
    annotations: s.annotations,
    // compact() leaves false out: a string here, turned back into false below.
    attach: s.attach === false ? 'false' : undefined,
    build: s.build && build(s.build),
    cap_add: s.capAdd,
    cap_drop: s.capDrop,
    command: s.command,
    configs: s.configs.map((g) =>
      compact({ source: g.source, target: g.target, uid: g.uid, gid: g.gid, mode: octal(g.mode) }),
    ),
    container_name: s.containerName,
    cpu_shares: res.cpuShares,
    cpus: res.cpus,
    depends_on: Object.fromEntries(
      s.dependsOn.map((d) => [
        d.service,
        { condition: d.condition, required: d.required, ...(d.restart ? { restart: true } : {}) },
      ]),
    ),
    develop: s.develop && {
      watch: s.develop.watch.map((r) =>
        compact({
          path: r.path,
          action: r.action,
          target: r.target,
          ignore: r.ignore.length ? r.ignore : undefined,
          include: r.include.length ? r.include : undefined,
          initial_sync: r.initialSync || undefined,
          exec: hooks(r.exec && [r.exec])?.[0],
        }),
      ),
    },
    dns: s.dns,
    dns_opt: s.dnsOpt,
    dns_search: s.dnsSearch,
    domainname: s.domainname,
    entrypoint: s.entrypoint,
    environment: s.environment,
    expose: s.expose,
    extra_hosts: s.extraHosts.map((e) => `${e.host}=${e.ip}`),
    healthcheck:
      h &&
      (h.disable
        ? { disable: true }
        : {
            test: h.test,
            interval: goDuration(h.intervalMs),
            timeout: goDuration(h.timeoutMs),
            retries: h.retries,
            start_period: goDuration(h.startPeriodMs),
            start_interval: goDuration(h.startIntervalMs),
          }),
    hostname: s.hostname,
    image: s.image,
    init: s.init,
    labels: s.labels,
    logging: s.logging && compact({ driver: s.logging.driver, options: s.logging.options }),
    mem_limit: bytes(res.memoryBytes),
    mem_reservation: bytes(res.memoryReservationBytes),
    memswap_limit: bytes(res.memorySwapBytes),
    network_mode: s.networkMode,
    mac_address: s.bridgeMac,
    ...s.namespaces,
    networks: Object.fromEntries(
      s.networks.map((n) => {
        const c = compact({
          aliases: n.aliases,
          ipv4_address: n.ipv4Address,
          ipv6_address: n.ipv6Address,
          link_local_ips: n.linkLocalIps,
          interface_name: n.interfaceName,
          mac_address: n.macAddress,
          gw_priority: n.gwPriority || undefined,
          priority: n.priority || undefined,
          driver_opts: n.sysctls && { [SYSCTLS_OPTION]: n.sysctls.map(sysctlText).join(',') },
        });
        return [n.network, Object.keys(c).length ? c : null];
      }),
    ),
    pids_limit: res.pidsLimit,
    platform: s.platform,
    ports: s.ports.map(port),
    pre_start: hooks(s.preStart),
    post_start: hooks(s.postStart),
    pre_stop: hooks(s.preStop),
    privileged: s.privileged,
    profiles: s.profiles,
    pull_policy: s.pullPolicy === 'missing' ? undefined : s.pullPolicy,
    read_only: s.readOnly,
    ...restart(s),
    scale: s.replicas === 1 ? undefined : s.replicas,
    secrets: s.secrets.map((g) =>
      compact({ source: g.source, target: g.target, uid: g.uid, gid: g.gid, mode: octal(g.mode) }),
    ),
    security_opt: s.securityOpt,
    shm_size: bytes(s.shmSizeBytes),
    stdin_open: s.stdinOpen,
    stop_grace_period:
      s.stopGracePeriodSeconds === 10 ? undefined : goDuration(Math.round(s.stopGracePeriodSeconds * 1000)),
    stop_signal: s.stopSignal,
    sysctls: s.sysctls,
    tmpfs: s.tmpfs.map(tmpfsEntry),
    tty: s.tty,
    ulimits: Object.fromEntries(
      Object.entries(s.ulimits).map(([k, u]) => [k, u.soft === u.hard ? u.soft : { soft: u.soft, hard: u.hard }]),
    ),
    user: s.user,
    volumes: s.volumes.map(mount),
    volumes_from: s.volumesFrom?.map(volumesFromText),
    links: s.links,
    external_links: s.externalLinks,
    working_dir: s.workingDir,
    ...cgroupKnobsView(s),
  });
  if (out.attach !== undefined) out.attach = false;
  return out;
}

function network(n: Network): Obj {
  const v4 =
    n.subnet === undefined && n.gateway === undefined && n.ipRange === undefined
      ? []
      : [compact({ subnet: n.subnet, gateway: n.gateway, ip_range: n.ipRange, aux_addresses: n.auxAddresses })];
  const v6 = n.subnet6 === undefined ? [] : [compact({ subnet: n.subnet6, gateway: n.gateway6 })];
  const ipam = v4.length + v6.length === 0 ? undefined : { config: [...v4, ...v6] };
  return compact({
    name: n.name,
    driver: n.external || n.driver === 'bridge' ? undefined : n.driver,
    driver_opts: n.driverOpts,
    ipam,
    internal: n.internal,
    external: n.external,
    attachable: n.attachable,
    enable_ipv6: n.enableIpv6,
    labels: n.labels,
  });
}

function volume(v: Volume): Obj {
  return compact({
    name: v.name,
    driver: v.external || v.driver === 'local' ? undefined : v.driver,
    driver_opts: v.driverOpts,
    external: v.external,
    labels: v.labels,
  });
}

function fileObject(f: FileObject): Obj {
  // A secret taken from the environment shows only the variable's name, never its value.
  return compact({
    name: f.name,
    file: f.file,
    environment: f.environment,
    content: f.environment === undefined ? f.content : undefined,
    external: f.external,
  });
}

const keyed = <T extends { key: string }>(items: T[], view: (t: T) => Obj): Obj | undefined =>
  items.length ? (sortDeep(Object.fromEntries(items.map((i) => [i.key, view(i)]))) as Obj) : undefined;

/** The document `stack config` prints: name, services, networks, volumes, secrets, configs. */
export function composeView(stack: Stack): Obj {
  const doc: Obj = {
    name: stack.project,
    services: sortDeep(Object.fromEntries(stack.services.map((s) => [s.name, service(s)]))),
    networks: keyed(stack.networks, network),
    volumes: keyed(stack.volumes, volume),
    secrets: keyed(stack.secrets, fileObject),
    configs: keyed(stack.configs, fileObject),
  };
  for (const k of Object.keys(doc)) if (doc[k] === undefined) delete doc[k];
  return doc;
}
