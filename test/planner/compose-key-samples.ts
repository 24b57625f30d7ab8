// A sample of every key stack accepts, for the key table's test (compose-keys.test.ts):
// the key is set to the sample in the mapping that holds it (CONTAINERS gives that mapping
// in the base file), and the stack loaded with it must differ from the base, in the loaded
// Stack and in its plan. A sample is a value, or an object saying more:
//   - `base`/`variant`: patches of the whole file, when the key cannot simply be added
//     (it replaces another, or needs a sibling);
//   - `loads`: the key makes a file load that the base refuses (env_file `required: false`);
//   - `planSame`: why the plan does not change although the key is honoured (it acts
//     later, at pull or build time, or only on an edit), naming where that is tested;
//   - `refusedValue`: only the default is accepted; this value must be refused;
//   - `noEffect`: the key is accepted and does nothing on Linux or without a swarm, as with
//     docker compose (the table's note must say why).

export interface SampleSpec {
  value?: unknown;
  base?: Record<string, unknown>;
  variant?: Record<string, unknown>;
  loads?: true;
  planSame?: string;
  noEffect?: string;
  /** The only value stack accepts is the default (`value`); this other one must be refused. */
  refusedValue?: unknown;
}
/** A value, or a SampleSpec (an object with only SampleSpec keys). */
export type Sample = unknown;

export const IMAGE = 'stack.local/busybox:latest';
export const OTHER_IMAGE = 'stack.local/other:1';

/** The base file: every section present, each name the paths' `*` stands for. */
export const BASE = {
  name: 'keys',
  services: {
    web: { image: IMAGE },
    db: {
      image: IMAGE,
      command: ['sleep', '1d'],
      healthcheck: { test: ['CMD', 'true'] },
      networks: ['net'],
      volumes: ['data:/data'],
      secrets: ['s'],
      configs: ['c'],
    },
  },
  networks: { net: { ipam: { config: [{ subnet: '10.99.0.0/24' }] } } },
  volumes: { data: {} },
  secrets: { s: { file: './s.txt' } },
  configs: { c: { file: './c.txt' } },
};

/** Files the loader may read, relative to the project folder. */
export const FILES: Record<string, string> = {
  's.txt': 'secret\n',
  's2.txt': 'secret 2\n',
  'c.txt': 'config\n',
  'a.env': "A='quoted'\n",
  'b.env': 'B=2\n',
  'labels.env': 'com.example.from-file=yes\n',
  'inc.yaml': `services:\n  inc:\n    image: ${IMAGE}\n    environment: {X: "\${X:-none}"}\n    volumes: ["./d:/d"]\n`,
  'inc.env': 'X=1\n',
  'inc2.yaml': `services:\n  inc2:\n    image: ${IMAGE}\n`,
  'other.yaml': `services:\n  db:\n    image: ${IMAGE}\n    command: ["echo", "from other.yaml"]\n`,
};

/** The mapping that holds the keys of each path, in the base file (the path's `*` and `#` as in BASE). */
export const CONTAINERS: Record<string, { at: (string | number)[]; value: unknown }> = {
  '': { at: [], value: undefined },
  'include.#': { at: ['include', 0], value: { path: './inc.yaml' } },
  'services.*': { at: ['services', 'web'], value: undefined },
  'services.*.build': { at: ['services', 'web', 'build'], value: { context: '.' } },
  'services.*.build.secrets.#': {
    at: ['services', 'web', 'build'],
    value: { context: '.', secrets: [{ source: 's' }] },
  },
  'services.*.configs.#': { at: ['services', 'web', 'configs'], value: [{ source: 'c' }] },
  'services.*.secrets.#': { at: ['services', 'web', 'secrets'], value: [{ source: 's' }] },
  'services.*.depends_on.*': {
    at: ['services', 'web', 'depends_on'],
    value: { db: { condition: 'service_started' } },
  },
  'services.*.deploy': { at: ['services', 'web', 'deploy'], value: {} },
  'services.*.deploy.resources': { at: ['services', 'web', 'deploy'], value: { resources: {} } },
  'services.*.deploy.resources.limits': { at: ['services', 'web', 'deploy'], value: { resources: { limits: {} } } },
  'services.*.deploy.resources.reservations': {
    at: ['services', 'web', 'deploy'],
    value: { resources: { reservations: {} } },
  },
  'services.*.deploy.restart_policy': { at: ['services', 'web', 'deploy'], value: { restart_policy: {} } },
  'services.*.env_file.#': { at: ['services', 'web', 'env_file'], value: [{ path: './b.env' }] },
  'services.*.extends': { at: ['services', 'web', 'extends'], value: { service: 'db' } },
  'services.*.healthcheck': { at: ['services', 'web', 'healthcheck'], value: { test: ['CMD', 'true'] } },
  // Two networks, so that priority and gw_priority have something to order.
  'services.*.networks.*': { at: ['services', 'web', 'networks'], value: { net: {}, default: {} } },
  'services.*.ports.#': { at: ['services', 'web', 'ports'], value: [{ target: 80 }] },
  'services.*.blkio_config': { at: ['services', 'web', 'blkio_config'], value: { weight: 300 } },
  'services.*.blkio_config.weight_device.#': {
    at: ['services', 'web', 'blkio_config'],
    value: { weight_device: [{ path: '/dev/sda', weight: 200 }] },
  },
  'services.*.blkio_config.device_read_bps.#': {
    at: ['services', 'web', 'blkio_config'],
    value: { device_read_bps: [{ path: '/dev/sda', rate: '1mb' }] },
  },
  'services.*.blkio_config.device_write_bps.#': {
    at: ['services', 'web', 'blkio_config'],
    value: { device_write_bps: [{ path: '/dev/sda', rate: '1mb' }] },
  },
  'services.*.blkio_config.device_read_iops.#': {
    at: ['services', 'web', 'blkio_config'],
    value: { device_read_iops: [{ path: '/dev/sda', rate: 100 }] },
  },
  'services.*.blkio_config.device_write_iops.#': {
    at: ['services', 'web', 'blkio_config'],
    value: { device_write_iops: [{ path: '/dev/sda', rate: 100 }] },
  },
  'services.*.devices.#': {
    at: ['services', 'web', 'devices'],
    value: [{ source: '/dev/zero', target: '/dev/stkzero' }],
  },
  'services.*.pre_start.#': { at: ['services', 'web', 'pre_start'], value: [{ command: ['true'] }] },
  'services.*.post_start.#': { at: ['services', 'web', 'post_start'], value: [{ command: ['true'] }] },
  'services.*.develop': { at: ['services', 'web', 'develop'], value: {} },
  'services.*.develop.watch.#': {
    at: ['services', 'web', 'develop'],
    value: { watch: [{ path: '.', action: 'sync', target: '/app' }] },
  },
  'services.*.develop.watch.#.exec': {
    at: ['services', 'web', 'develop'],
    value: { watch: [{ path: '.', action: 'sync+exec', target: '/app', exec: { command: ['true'] } }] },
  },
  'services.*.pre_stop.#': { at: ['services', 'web', 'pre_stop'], value: [{ command: ['true'] }] },
  'services.*.logging': { at: ['services', 'web', 'logging'], value: { driver: 'json-file' } },
  'services.*.ulimits.*': { at: ['services', 'web', 'ulimits'], value: { nofile: { soft: 10, hard: 20 } } },
  'services.*.volumes.#': {
    at: ['services', 'web', 'volumes'],
    value: [{ type: 'volume', source: 'data', target: '/data' }],
  },
  'services.*.volumes.#.bind': {
    at: ['services', 'web', 'volumes'],
    value: [{ type: 'bind', source: './src', target: '/src', bind: {} }],
  },
  'services.*.volumes.#.tmpfs': {
    at: ['services', 'web', 'volumes'],
    value: [{ type: 'tmpfs', target: '/t', tmpfs: {} }],
  },
  'services.*.volumes.#.volume': {
    at: ['services', 'web', 'volumes'],
    value: [{ type: 'volume', source: 'data', target: '/data', volume: {} }],
  },
  'services.*.volumes.#.image': {
    at: ['services', 'web', 'volumes'],
    value: [{ type: 'image', source: OTHER_IMAGE, target: '/img', image: {} }],
  },
  'networks.*': { at: ['networks', 'net'], value: undefined },
  'networks.*.ipam': { at: ['networks', 'net'], value: undefined },
  'networks.*.ipam.config.#': { at: ['networks', 'net'], value: undefined },
  'volumes.*': { at: ['volumes', 'data'], value: undefined },
  'secrets.*': { at: ['secrets', 's'], value: undefined },
  'configs.*': { at: ['configs', 'c'], value: undefined },
  // The external name replaces the section's entry: its samples give the whole variant.
  'networks.*.external': { at: ['networks', 'net'], value: undefined },
  'volumes.*.external': { at: ['volumes', 'data'], value: undefined },
  'secrets.*.external': { at: ['secrets', 's'], value: undefined },
  'configs.*.external': { at: ['configs', 'c'], value: undefined },
};

/** Where, inside the container, a key of a path goes (for containers given above their path). */
export const KEY_AT: Record<string, (string | number)[]> = {
  'services.*.build.secrets.#': ['secrets', 0],
  'services.*.configs.#': [0],
  'services.*.secrets.#': [0],
  'services.*.depends_on.*': ['db'],
  'services.*.deploy.resources': ['resources'],
  'services.*.deploy.resources.limits': ['resources', 'limits'],
  'services.*.deploy.resources.reservations': ['resources', 'reservations'],
  'services.*.deploy.restart_policy': ['restart_policy'],
  'services.*.env_file.#': [0],
  'services.*.networks.*': ['net'],
  'services.*.ports.#': [0],
  'services.*.ulimits.*': ['nofile'],
  'services.*.pre_start.#': [0],
  'services.*.post_start.#': [0],
  'services.*.develop.watch.#': ['watch', 0],
  'services.*.develop.watch.#.exec': ['watch', 0, 'exec'],
  'services.*.pre_stop.#': [0],
  'services.*.blkio_config.weight_device.#': ['weight_device', 0],
  'services.*.blkio_config.device_read_bps.#': ['device_read_bps', 0],
  'services.*.blkio_config.device_write_bps.#': ['device_write_bps', 0],
  'services.*.blkio_config.device_read_iops.#': ['device_read_iops', 0],
  'services.*.blkio_config.device_write_iops.#': ['device_write_iops', 0],
  'services.*.devices.#': [0],
  'services.*.volumes.#': [0],
  'services.*.volumes.#.bind': [0, 'bind'],
  'services.*.volumes.#.tmpfs': [0, 'tmpfs'],
  'services.*.volumes.#.volume': [0, 'volume'],
  'services.*.volumes.#.image': [0, 'image'],
  'networks.*.ipam': ['ipam'],
  'networks.*.ipam.config.#': ['ipam', 'config', 0],
};

const secretLike = (section: 'secrets' | 'configs', name: 's' | 'c', file: string): Record<string, Sample> => ({
  name: { value: 'stk-other', noEffect: 'swarm' },
  file: { variant: { [section]: { [name]: { file } } } },
  environment: { variant: { [section]: { [name]: { environment: 'HOME' } } } },
  external: {
    variant: { [section]: { [name]: { external: true } } },
    planSame: 'an external secret or config is read from the host at up, not made by the plan',
  },
  labels: { value: { a: 'b' }, noEffect: 'swarm' },
});

const mountOf = (): Record<string, Sample> => ({ target: '/run/other', uid: '1000', gid: '1000', mode: 0o400 });

/** develop.watch acts only while `stack watch` runs: the plan is the same with or without it. */
const WATCH_ONLY = 'acts only while stack watch runs (test/integration/watch-develop-*.test.ts)';
const watchOnly = (samples: Record<string, unknown>): Record<string, Sample> =>
  Object.fromEntries(Object.entries(samples).map(([k, value]) => [k, { value, planSame: WATCH_ONLY }]));

export const SAMPLES: Record<string, Record<string, Sample>> = {
  '': {
    name: 'stk-other',
    include: ['./inc.yaml'],
    services: { value: { other: { image: IMAGE } } },
    networks: { value: { net: { ipam: { config: [{ subnet: '10.97.0.0/24' }] } } } },
    volumes: { value: { data: { name: 'stk-volume' } } },
    secrets: {
      value: { s: { file: './s2.txt' } },
    },
    configs: {
      value: { c: { file: './s2.txt' } },
    },
    version: '3.8',
  },
  'include.#': {
    path: './inc2.yaml',
    env_file: './inc.env',
    project_directory: './sub',
  },
  'services.*': {
    build: { context: '.' },
    cap_add: ['NET_ADMIN'],
    cap_drop: ['CHOWN'],
    command: ['echo', 'hi'],
    configs: ['c'],
    container_name: 'stk-the-web',
    cpu_shares: 512,
    cpus: 0.5,
    depends_on: ['db'],
    deploy: { replicas: 2 },
    dns: ['10.0.0.53'],
    dns_opt: ['ndots:2'],
    dns_search: ['example.test'],
    domainname: 'example.test',
    entrypoint: ['/bin/env'],
    env_file: ['./b.env'],
    environment: { A: '1' },
    expose: ['81'],
    extends: { service: 'db' },
    extra_hosts: ['h:10.0.0.9'],
    healthcheck: { test: ['CMD', 'true'] },
    hostname: 'h1',
    image: OTHER_IMAGE,
    init: true,
    labels: { a: 'b' },
    mem_limit: '64m',
    mem_reservation: '32m',
    memswap_limit: { value: '128m', base: { services: { web: { image: IMAGE, mem_limit: '64m' } } } },
    network_mode: 'none',
    networks: ['net'],
    pids_limit: 50,
    platform: {
      value: 'linux/amd64',
      planSame: "checked against the image's platform when it is pulled or built (test/images)",
    },
    ports: ['8080:80'],
    privileged: true,
    profiles: ['debug'],
    pull_policy: {
      value: 'never',
      planSame: 'decides whether up pulls the image before planning (test/cli pull policy tests)',
    },
    read_only: true,
    restart: 'always',
    scale: 2,
    secrets: ['s'],
    security_opt: ['no-new-privileges:true'],
    shm_size: '128m',
    stdin_open: true,
    stop_grace_period: '3s',
    stop_signal: 'SIGINT',
    sysctls: { 'net.core.somaxconn': 1024 },
    tmpfs: ['/run'],
    tty: true,
    ulimits: { nofile: 1024 },
    user: '1000',
    volumes: ['data:/data'],
    working_dir: '/srv',
    pid: 'service:db',
    ipc: 'host',
    uts: 'host',
    cgroup: 'host',
    links: ['db:database'],
    external_links: ['other-redis-1:redis'],
    volumes_from: ['db'],
    logging: { driver: 'none' },
    cpu_period: 50000,
    cpu_quota: 25000,
    cpuset: '0',
    blkio_config: { weight: 300 },
    devices: ['/dev/zero:/dev/stkzero'],
    device_cgroup_rules: ['c 1:5 r'],
    group_add: ['100'],
    oom_score_adj: 100,
    cgroup_parent: 'my-parent',
    cpu_rt_runtime: '10ms',
    cpu_rt_period: 500000,
    mem_swappiness: 10,
    oom_kill_disable: true,
    annotations: { 'com.example.a': 'b' },
    attach: {
      value: false,
      planSame: 'decides whose output an attached up shows (test/integration/attach-false.test.ts)',
    },
    label_file: ['./labels.env'],
    mac_address: '02:42:ac:11:00:09',
    pre_start: [{ command: ['touch', '/data/prepared'] }],
    post_start: [{ command: ['touch', '/started'] }],
    pre_stop: [{ command: ['touch', '/stopping'] }],
    develop: { value: { watch: [{ path: '.', action: 'sync', target: '/app' }] }, planSame: WATCH_ONLY },
  },
  'services.*.build': {
    context: './sub',
    dockerfile: 'Other.Dockerfile',
    dockerfile_inline: 'FROM scratch\n',
    args: { A: '1' },
    target: 'base',
    labels: { a: 'b' },
    network: 'none',
    shm_size: '64m',
    extra_hosts: ['h:10.0.0.9'],
    secrets: ['s'],
    tags: ['stack.local/tagged:1'],
    platforms: { value: ['linux/amd64'], refusedValue: ['linux/s390x'] },
    no_cache: true,
    pull: true,
    additional_contexts: { extra: './sub' },
    cache_from: ['type=local,src=/tmp/cache'],
    cache_to: ['type=local,dest=/tmp/cache'],
    entitlements: ['network.host'],
    isolation: 'default',
    privileged: true,
    provenance: true,
    sbom: true,
    ssh: ['default'],
    ulimits: { nofile: 1024 },
  },
  'services.*.build.secrets.#': {
    source: { value: 's2', base: { secrets: { s: { file: './s.txt' }, s2: { file: './s2.txt' } } } },
    ...mountOf(),
  },
  'services.*.configs.#': {
    source: { value: 's', base: { configs: { c: { file: './c.txt' }, s: { file: './s.txt' } } } },
    ...mountOf(),
  },
  'services.*.secrets.#': {
    source: { value: 'c', base: { secrets: { s: { file: './s.txt' }, c: { file: './c.txt' } } } },
    ...mountOf(),
  },
  'services.*.depends_on.*': {
    condition: 'service_healthy',
    required: {
      value: false,
      planSame: 'decides whether a failed dependency stops up (test/planner/depends-on.test.ts)',
    },
    restart: {
      value: true,
      planSame: 'restarts web when an edit restarts db (test/planner/restart-followers.test.ts)',
    },
  },
  'services.*.deploy': {
    replicas: 2,
    labels: { a: 'b' },
    resources: { limits: { memory: '64m' } },
    restart_policy: { condition: 'on-failure' },
    mode: 'global',
    endpoint_mode: 'dnsrr',
    placement: { constraints: ['node.role==manager'] },
    update_config: { parallelism: 1 },
    rollback_config: { parallelism: 1 },
  },
  'services.*.deploy.resources': { limits: { pids: 50 }, reservations: { memory: '32m' } },
  'services.*.deploy.resources.limits': { cpus: 0.5, memory: '64m', pids: 50 },
  'services.*.deploy.resources.reservations': { cpus: 0.25, memory: '32m' },
  'services.*.deploy.restart_policy': { condition: 'on-failure', delay: '5s', max_attempts: 3, window: '10s' },
  'services.*.env_file.#': {
    path: './a.env',
    format: { value: 'raw', base: { services: { web: { image: IMAGE, env_file: [{ path: './a.env' }] } } } },
    required: {
      value: false,
      loads: true,
      base: { services: { web: { image: IMAGE, env_file: [{ path: './none.env' }] } } },
    },
  },
  'services.*.extends': {
    file: './other.yaml',
    service: {
      value: 'db2',
      base: {
        services: {
          web: { image: IMAGE },
          db: { image: IMAGE, command: ['true'] },
          db2: { image: IMAGE, command: ['false'] },
        },
      },
    },
  },
  'services.*.healthcheck': {
    test: ['CMD', 'false'],
    interval: '5s',
    timeout: '2s',
    retries: 5,
    start_period: '3s',
    start_interval: '1s',
    disable: true,
  },
  'services.*.networks.*': {
    aliases: ['a1'],
    ipv4_address: '10.99.0.5',
    ipv6_address: {
      value: 'fd00:99::5',
      base: {
        networks: {
          net: { enable_ipv6: true, ipam: { config: [{ subnet: '10.99.0.0/24' }, { subnet: 'fd00:99::/64' }] } },
        },
      },
    },
    interface_name: 'eth5',
    gw_priority: 1,
    priority: 5,
    mac_address: '02:42:ac:11:00:02',
    link_local_ips: ['169.254.1.2'],
    driver_opts: { 'com.docker.network.endpoint.sysctls': 'net.ipv4.conf.IFNAME.log_martians=1' },
  },
  'services.*.ports.#': {
    target: 81,
    published: '8080',
    host_ip: '127.0.0.1',
    protocol: 'udp',
    mode: { value: 'host', noEffect: 'no swarm' },
    app_protocol: { value: 'http', noEffect: 'metadata' },
    name: { value: 'web', noEffect: 'metadata' },
  },
  'services.*.blkio_config': {
    weight: 400,
    weight_device: [{ path: '/dev/sda', weight: 200 }],
    device_read_bps: [{ path: '/dev/sda', rate: '1mb' }],
    device_write_bps: [{ path: '/dev/sda', rate: '1mb' }],
    device_read_iops: [{ path: '/dev/sda', rate: 100 }],
    device_write_iops: [{ path: '/dev/sda', rate: 100 }],
  },
  'services.*.blkio_config.weight_device.#': { path: '/dev/sdb', weight: 201 },
  'services.*.blkio_config.device_read_bps.#': { path: '/dev/sdb', rate: '2mb' },
  'services.*.blkio_config.device_write_bps.#': { path: '/dev/sdb', rate: '2mb' },
  'services.*.blkio_config.device_read_iops.#': { path: '/dev/sdb', rate: 101 },
  'services.*.blkio_config.device_write_iops.#': { path: '/dev/sdb', rate: 101 },
  'services.*.devices.#': { source: '/dev/null', target: '/dev/stknull', permissions: 'r' },
  'services.*.develop': { watch: { value: [{ path: '.', action: 'sync', target: '/app' }], planSame: WATCH_ONLY } },
  'services.*.develop.watch.#': watchOnly({
    path: './src',
    action: 'sync+restart',
    target: '/other',
    ignore: ['*.tmp'],
    include: ['*.js'],
    exec: { command: ['true'] },
    initial_sync: true,
  }),
  'services.*.develop.watch.#.exec': watchOnly({
    command: ['false'],
    user: '1000',
    privileged: true,
    working_dir: '/tmp',
    environment: { A: '1' },
  }),
  'services.*.pre_start.#': {
    command: ['false'],
    user: '1000',
    privileged: true,
    working_dir: '/tmp',
    environment: { A: '1' },
  },
  'services.*.post_start.#': {
    command: ['false'],
    user: '1000',
    privileged: true,
    working_dir: '/tmp',
    environment: { A: '1' },
  },
  'services.*.pre_stop.#': {
    command: ['false'],
    user: '1000',
    privileged: true,
    working_dir: '/tmp',
    environment: { A: '1' },
  },
  'services.*.logging': { driver: 'none', options: { 'max-size': '1m', 'max-file': '3' } },
  'services.*.ulimits.*': { soft: 11, hard: 21 },
  'services.*.volumes.#': {
    source: { value: 'other', base: { volumes: { data: {}, other: {} } } },
    target: '/d2',
    read_only: true,
    consistency: { value: 'cached', noEffect: 'Linux' },
    type: {
      value: 'tmpfs',
      variant: { services: { web: { image: IMAGE, volumes: [{ type: 'tmpfs', target: '/data' }] } } },
    },
    bind: {
      value: { propagation: 'rshared' },
      base: { services: { web: { image: IMAGE, volumes: [{ type: 'bind', source: './src', target: '/src' }] } } },
    },
    volume: { nocopy: true },
    image: {
      value: { subpath: 'etc' },
      base: { services: { web: { image: IMAGE, volumes: [{ type: 'image', source: OTHER_IMAGE, target: '/img' }] } } },
    },
    tmpfs: {
      value: { size: '1m' },
      base: { services: { web: { image: IMAGE, volumes: [{ type: 'tmpfs', target: '/t' }] } } },
    },
  },
  'services.*.volumes.#.bind': {
    create_host_path: false,
    propagation: 'rshared',
    selinux: { value: 'z', noEffect: 'no SELinux' },
  },
  'services.*.volumes.#.tmpfs': { size: '1m', mode: 0o1700 },
  'services.*.volumes.#.volume': { nocopy: true, subpath: 'sub' },
  'services.*.volumes.#.image': { subpath: 'etc' },
  'networks.*': {
    name: 'stk-other',
    driver: { value: 'bridge', refusedValue: 'overlay' },
    driver_opts: { 'com.docker.network.driver.mtu': '1400' },
    ipam: { value: { config: [{ subnet: '10.98.0.0/24' }] } },
    external: { value: true, base: { networks: { net: {} } } },
    internal: true,
    enable_ipv6: true,
    attachable: true,
    labels: { a: 'b' },
  },
  'networks.*.external': { name: { variant: { networks: { net: { external: { name: 'stk-outside' } } } } } },
  'networks.*.ipam': {
    driver: { value: 'default', refusedValue: 'dhcp' },
    options: { a: 'b' },
    config: [{ subnet: '10.98.0.0/24' }],
  },
  'networks.*.ipam.config.#': {
    subnet: '10.98.0.0/24',
    ip_range: '10.99.0.128/25',
    gateway: '10.99.0.254',
    aux_addresses: { h: '10.99.0.7' },
  },
  'volumes.*': {
    name: 'stk-other',
    driver: { value: 'local', refusedValue: 'nfs' },
    driver_opts: { type: 'none', o: 'bind', device: '/srv/data' },
    external: true,
    labels: { a: 'b' },
  },
  'volumes.*.external': { name: { variant: { volumes: { data: { external: { name: 'stk-outside' } } } } } },
  'secrets.*': secretLike('secrets', 's', './s2.txt'),
  'secrets.*.external': { name: { variant: { secrets: { s: { external: { name: 'stk-outside' } } } } } },
  'configs.*': {
    ...secretLike('configs', 'c', './s2.txt'),
    content: { variant: { configs: { c: { content: 'inline' } } } },
  },
  'configs.*.external': { name: { variant: { configs: { c: { external: { name: 'stk-outside' } } } } } },
};
