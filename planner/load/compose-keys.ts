// The key table: every key of the Compose Specification, by the path of the mapping that
// holds it (`*` any name, `#` any list position), with what stack does with it:
//   works    — honoured, as docker compose does (a note says where stack differs on purpose);
//   noted    — accepted and ignored with a located warning, as docker compose does (keys
//              that only matter to a swarm);
//   refused  — "valid Compose, not supported by stack" at its line; the text says what to
//              do instead ('' when there is nothing).
// The keys under one that is refused or noted share its status and are not listed.
// unsupported-keys.ts refuses from this table; docs/compose-support.md is generated from it
// (scripts/compose-support-doc.mjs); test/planner/compose-keys.test.ts holds it against the
// specification's keys (schemas/compose-spec-keys.json) and against stack's schema, and
// loads a sample of every key to prove each status: a key that works changes the loaded
// stack and its plan, a noted one warns, a refused one is refused.

export type KeyStatus =
  { status: 'works'; note?: string } | { status: 'noted'; note: string } | { status: 'refused'; note: string };

const works = (note?: string): KeyStatus => (note === undefined ? { status: 'works' } : { status: 'works', note });
const noted = (note: string): KeyStatus => ({ status: 'noted', note });
const refused = (instead = ''): KeyStatus => ({ status: 'refused', note: instead });

/** Each listed key works, without a note. */
const allWork = (...keys: string[]): Record<string, KeyStatus> => Object.fromEntries(keys.map((k) => [k, works()]));

const SWARM = 'only matters to a swarm; ignored with a note, as docker compose does';
const DEVICES = 'stack does not give containers devices such as GPUs';
const SECRET_NAME =
  'names the object in a swarm; stack mounts the file or value by its key, as docker compose does without a swarm';
const SECRET_LABELS = 'labels the object in a swarm; docker compose does nothing with them without one';
const CACHE = "stack's build cache is local and used by every build";

export const COMPOSE_KEYS: Record<string, Record<string, KeyStatus>> = {
  '': {
    ...allWork('name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs'),
    version: noted('obsolete in the Compose Specification; ignored with a note, as docker compose does'),
    models: refused('stack runs no model runner'),
  },
  'include.#': allWork('path', 'env_file', 'project_directory'),
  'services.*': {
    ...allWork(
      'build',
      'cap_add',
      'cap_drop',
      'command',
      'configs',
      'container_name',
      'cpu_shares',
      'cpus',
      'depends_on',
      'deploy',
      'develop',
      'dns',
      'dns_opt',
      'dns_search',
      'domainname',
      'entrypoint',
      'env_file',
      'environment',
      'expose',
      'extends',
      'extra_hosts',
      'healthcheck',
      'hostname',
      'image',
      'init',
      'labels',
      'mem_limit',
      'mem_reservation',
      'memswap_limit',
      'networks',
      'pids_limit',
      'ports',
      'privileged',
      'profiles',
      'read_only',
      'restart',
      'scale',
      'secrets',
      'security_opt',
      'shm_size',
      'stdin_open',
      'stop_grace_period',
      'stop_signal',
      'sysctls',
      'tmpfs',
      'tty',
      'ulimits',
      'user',
      'volumes',
      'working_dir',
      'pid',
      'ipc',
      'uts',
      'cgroup',
      'links',
      'external_links',
      'volumes_from',
      'logging',
      'cpu_period',
      'cpu_quota',
      'cpuset',
      'blkio_config',
      'devices',
      'device_cgroup_rules',
      'group_add',
      'oom_score_adj',
      'annotations',
      'attach',
      'label_file',
      'mac_address',
      'post_start',
      'pre_stop',
    ),
    mem_swappiness: works(
      'cgroup v1; on v2, which has no such knob, a warning at its line (docker discards it there too)',
    ),
    oom_kill_disable: works(
      'cgroup v1; on v2, which has no such knob, a warning at its line (docker discards it there too)',
    ),
    network_mode: works(
      "`host`, `none`, `service:NAME`, `container:NAME` as docker; `bridge` joins the host-wide default bridge (`stkbd…`, made on first use, removed with its last user): egress and published ports, no service names, the host's resolvers",
    ),
    platform: works(
      'an image stored for another platform is pulled again for this one by up, and refused at plan with the pull that fixes it',
    ),
    pull_policy: works(
      '`daily`, `weekly` and `every_<duration>` pull what is missing and again once the stored image is older than the period',
    ),
    cgroup_parent: works(
      'relative to the cgroup root (a leading `/` too, as docker), in every hierarchy stack uses; the group is `<parent>/stk-<project>.<container>`, and a parent stack made is removed with its last container',
    ),
    cpu_count: refused('it is for Windows containers; use cpus'),
    cpu_percent: refused('it is for Windows containers; use cpus'),
    cpu_rt_period: works(
      'cgroup v1 with realtime group scheduling (CONFIG_RT_GROUP_SCHED): the levels above get room first; refused at its line on cgroup v2 (no such knob) and on kernels without it',
    ),
    cpu_rt_runtime: works(
      'cgroup v1 with realtime group scheduling (CONFIG_RT_GROUP_SCHED): the levels above get room first and give it back at removal; refused at its line on cgroup v2 (no such knob) and on kernels without it',
    ),
    credential_spec: refused('it is for Windows containers'),
    gpus: refused('stack does not give containers GPUs'),
    isolation: refused('it is for Windows containers'),
    models: refused('stack runs no model runner'),
    // In compose-go's schema, not yet in the specification's.
    pre_start: works(
      "each step in a short-lived container of the service's image, mounts and networks, before its first container starts; a failing step stops the service from starting",
    ),
    provider: refused('stack runs containers only, not provider plugins'),
    pull_refresh_after: refused(),
    runtime: refused('stack starts containers itself, with no OCI runtime'),
    storage_opt: refused("stack's container filesystems are overlayfs without per-container quotas"),
    use_api_socket: refused('stack has no docker API socket to give'),
    userns_mode: refused(),
  },
  'services.*.build': {
    ...allWork(
      'context',
      'dockerfile',
      'dockerfile_inline',
      'args',
      'target',
      'labels',
      'network',
      'shm_size',
      'extra_hosts',
      'secrets',
      'tags',
      'no_cache',
      'pull',
      'additional_contexts',
    ),
    platforms: works("the host's platform only; others are refused at their line (no emulation)"),
    cache_from: refused(CACHE),
    cache_to: refused(CACHE),
    entitlements: refused(),
    isolation: refused(),
    privileged: refused(),
    provenance: refused(),
    sbom: refused(),
    ssh: refused('use a build secret (build.secrets) instead'),
    ulimits: refused(),
  },
  'services.*.build.secrets.#': allWork('source', 'target', 'uid', 'gid', 'mode'),
  'services.*.configs.#': allWork('source', 'target', 'uid', 'gid', 'mode'),
  'services.*.secrets.#': allWork('source', 'target', 'uid', 'gid', 'mode'),
  'services.*.depends_on.*': allWork('condition', 'required', 'restart'),
  'services.*.deploy': {
    ...allWork('replicas', 'resources', 'restart_policy'),
    labels: noted(
      'labels of the swarm service, not of its containers: docker compose does not put them on containers either',
    ),
    mode: noted(`stack runs every service replicated (the default); the other modes ${SWARM}`),
    endpoint_mode: noted(SWARM),
    placement: noted(SWARM),
    update_config: noted(SWARM),
    rollback_config: noted(SWARM),
  },
  'services.*.deploy.resources': allWork('limits', 'reservations'),
  'services.*.deploy.resources.limits': allWork('cpus', 'memory', 'pids'),
  'services.*.deploy.resources.reservations': {
    ...allWork('memory'),
    cpus: noted('a swarm scheduling option; docker compose sets nothing on the container for it'),
    devices: refused(DEVICES),
    generic_resources: refused(DEVICES),
  },
  'services.*.deploy.restart_policy': allWork('condition', 'delay', 'max_attempts', 'window'),
  'services.*.develop': allWork('watch'),
  'services.*.develop.watch.#': allWork('path', 'action', 'target', 'ignore', 'include', 'exec', 'initial_sync'),
  'services.*.develop.watch.#.exec': allWork('command', 'user', 'privileged', 'working_dir', 'environment'),
  'services.*.env_file.#': allWork('path', 'required', 'format'),
  'services.*.extends': allWork('service', 'file'),
  'services.*.healthcheck': allWork(
    'test',
    'interval',
    'timeout',
    'retries',
    'start_period',
    'start_interval',
    'disable',
  ),
  'services.*.networks.*': {
    ...allWork('aliases', 'ipv4_address', 'interface_name', 'gw_priority', 'priority', 'mac_address', 'link_local_ips'),
    ipv6_address: works('on a network with `enable_ipv6: true` and an IPv6 subnet in its `ipam.config`'),
    driver_opts: works(
      "`com.docker.network.endpoint.sysctls` (sysctls of the interface, `net.X.Y.IFNAME.Z=V`) and `com.docker.network.endpoint.ifname` (its name), which docker honours for every driver; docker's bridge driver reads no other endpoint option, and stack refuses them at their line",
    ),
  },
  'services.*.ports.#': {
    ...allWork('target', 'published', 'host_ip', 'protocol'),
    mode: works('`host` and `ingress` both publish on this host, as docker compose does without a swarm'),
    app_protocol: works('a label for tools; docker compose does nothing with it either'),
    name: works('a label for tools; docker compose does nothing with it either'),
  },
  'services.*.logging': {
    driver: works('`json-file` (the default), `local` and `none`; other drivers are refused at their line'),
    options: works('`max-size` and `max-file` (rotation that `stack logs` reads across), `compress: false`'),
  },
  'services.*.blkio_config': allWork(
    'weight',
    'weight_device',
    'device_read_bps',
    'device_write_bps',
    'device_read_iops',
    'device_write_iops',
  ),
  'services.*.blkio_config.weight_device.#': allWork('path', 'weight'),
  'services.*.blkio_config.device_read_bps.#': allWork('path', 'rate'),
  'services.*.blkio_config.device_write_bps.#': allWork('path', 'rate'),
  'services.*.blkio_config.device_read_iops.#': allWork('path', 'rate'),
  'services.*.blkio_config.device_write_iops.#': allWork('path', 'rate'),
  'services.*.devices.#': allWork('source', 'target', 'permissions'),
  'services.*.pre_start.#': allWork('command', 'user', 'privileged', 'working_dir', 'environment'),
  'services.*.post_start.#': allWork('command', 'user', 'privileged', 'working_dir', 'environment'),
  'services.*.pre_stop.#': allWork('command', 'user', 'privileged', 'working_dir', 'environment'),
  'services.*.ulimits.*': allWork('soft', 'hard'),
  'services.*.volumes.#': {
    ...allWork('type', 'source', 'target', 'read_only', 'bind', 'volume', 'tmpfs'),
    consistency: works('accepted and meaningless on Linux, as with docker (`:cached`, `:delegated`)'),
    image: works(
      '`type: image`: the layers of the image `source` (pulled by `up` when missing), read-only at the target',
    ),
  },
  'services.*.volumes.#.image': {
    subpath: works('only that folder of the image; one reached through a symbolic link is refused'),
  },
  'services.*.volumes.#.bind': {
    ...allWork('create_host_path', 'propagation'),
    selinux: works('relabels for SELinux; on a host without SELinux it does nothing, as with docker'),
    recursive: refused(),
  },
  'services.*.volumes.#.tmpfs': allWork('size', 'mode'),
  'services.*.volumes.#.volume': {
    ...allWork('nocopy', 'subpath'),
    labels: refused(),
  },
  'networks.*': {
    ...allWork('name', 'ipam', 'external', 'internal', 'labels'),
    driver_opts: works(
      '`com.docker.network.driver.mtu` and `com.docker.network.bridge.name` (a name starting `stkb`, so the isolation rules know the bridge); other options are refused at their line',
    ),
    driver: works('`bridge` only, the default; other drivers are refused at their line'),
    enable_ipv6: works(
      'an IPv6 subnet beside the IPv4 one (the `ipam.config` entry with an IPv6 subnet, else a ULA /64), egress through NAT66, published ports on IPv6 host addresses; see docs/networks.md',
    ),
    attachable: noted(SWARM),
    enable_ipv4: refused(),
  },
  'networks.*.external': allWork('name'),
  'networks.*.ipam': {
    ...allWork('config'),
    options: noted(
      "docker's default IPAM driver reads none of its options (it only keeps them for `docker network inspect`); ignored with a note",
    ),
    driver: works('`default` only, the default; other drivers are refused at their line'),
  },
  'networks.*.ipam.config.#': allWork('subnet', 'ip_range', 'gateway', 'aux_addresses'),
  'volumes.*': {
    ...allWork('name', 'driver_opts', 'external', 'labels'),
    driver: works('`local` only, the default; other drivers are refused at their line'),
  },
  'volumes.*.external': allWork('name'),
  'secrets.*': {
    ...allWork('file', 'environment', 'external'),
    name: works(SECRET_NAME),
    labels: works(SECRET_LABELS),
    driver: refused(),
    driver_opts: refused(),
    template_driver: refused(),
  },
  'secrets.*.external': allWork('name'),
  'configs.*': {
    ...allWork('file', 'environment', 'content', 'external'),
    name: works(SECRET_NAME),
    labels: works(SECRET_LABELS),
    template_driver: refused(),
  },
  'configs.*.external': allWork('name'),
};

/** The status of `key` in the mapping at `path` (segments, `*`/`#` for names and positions), if the table has it. */
export function keyStatus(path: readonly (string | number)[], key: string): KeyStatus | undefined {
  const pattern = Object.keys(COMPOSE_KEYS).find((p) => {
    const parts = p === '' ? [] : p.split('.');
    return (
      parts.length === path.length &&
      parts.every((part, i) => (part === '#' ? typeof path[i] === 'number' : part === '*' || part === path[i]))
    );
  });
  return pattern === undefined ? undefined : COMPOSE_KEYS[pattern]![key];
}
