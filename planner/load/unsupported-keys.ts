// Keys the Compose specification defines that stack does not implement, at every level of
// the file. The schema rejects them like any unknown key, but a user who copied a valid
// compose file deserves to hear "valid Compose, not supported by stack" (and what to do)
// rather than "unknown key" with a far-fetched did-you-mean, which reads as a typo. Lists
// follow compose-spec's schema. Each table is found by the path of the mapping that holds
// the key: `*` stands for any name (a service, a network), `#` for any list position, so
// another section (build, say) adds its own line to TABLES.

/** Compose service keys stack does not implement, with what to do instead where there is something. */
const SERVICE: Record<string, string> = {
  annotations: '',
  attach: '',
  blkio_config: '',
  cgroup: '',
  cgroup_parent: '',
  cpu_count: '',
  cpu_percent: '',
  cpu_period: 'use cpus',
  cpu_quota: 'use cpus',
  cpu_rt_period: '',
  cpu_rt_runtime: '',
  cpuset: '',
  credential_spec: 'it is for Windows containers',
  device_cgroup_rules: '',
  devices: '',
  external_links: '',
  gpus: 'stack does not give containers GPUs',
  group_add: '',
  ipc: '',
  isolation: 'it is for Windows containers',
  label_file: 'use labels',
  logging: "stack keeps each container's output for `stack logs`",
  mac_address: '',
  mem_swappiness: '',
  models: 'stack runs no model runner',
  oom_kill_disable: '',
  oom_score_adj: '',
  pid: '',
  post_start: '',
  pre_start: '',
  pre_stop: '',
  provider: 'stack runs containers only, not provider plugins',
  pull_refresh_after: '',
  runtime: 'stack starts containers itself, with no OCI runtime',
  storage_opt: "stack's container filesystems are overlayfs without per-container quotas",
  use_api_socket: 'stack has no docker API socket to give',
  userns_mode: '',
  uts: '',
  volumes_from: 'declare a named volume and mount it in both services',
  links: 'services on a shared network already reach each other by service name; use networks and aliases',
};

const DEVICES = 'stack does not give containers devices such as GPUs';

/** Tables by the path of the mapping that holds the keys. */
const TABLES: [pattern: readonly string[], keys: Record<string, string>][] = [
  [[], { models: 'stack runs no model runner' }],
  [['services', '*'], SERVICE],
  [['services', '*', 'deploy', 'resources', 'reservations'], { devices: DEVICES, generic_resources: DEVICES }],
  [['services', '*', 'volumes', '#'], { image: 'volumes of type image are not supported yet' }],
];

/** Values of an enumerated key that are valid Compose and that stack does not implement. */
const VALUES: [pattern: readonly string[], values: Record<string, string>][] = [
  [
    ['services', '*', 'volumes', '#', 'type'],
    { image: 'mount a volume instead', npipe: 'it is for Windows', cluster: 'it is for a swarm' },
  ],
];

function matches(pattern: readonly string[], path: readonly (string | number)[]): boolean {
  return (
    pattern.length === path.length &&
    pattern.every((p, i) => (p === '#' ? typeof path[i] === 'number' : p === '*' || p === path[i]))
  );
}

function message(what: string, instead: string): string {
  return `valid Compose, not supported by stack: ${what}: remove it${instead ? `; ${instead}` : ''}`;
}

/**
 * The message for `key` when it is a Compose key stack lacks in the mapping at `path`
 * (`where` names that mapping), else undefined.
 */
export function unsupportedKeyMessage(
  path: readonly (string | number)[],
  key: string,
  where: string,
): string | undefined {
  const table = TABLES.find(([pattern]) => matches(pattern, path))?.[1];
  if (!table || !Object.hasOwn(table, key)) return undefined;
  return message(`"${key}" ${where}`, table[key]!);
}

/** The message for an enumerated `value` at `path` that is valid Compose stack lacks, else undefined. */
export function unsupportedValueMessage(
  path: readonly (string | number)[],
  value: unknown,
  where: string,
): string | undefined {
  const table = VALUES.find(([pattern]) => matches(pattern, path))?.[1];
  if (typeof value !== 'string' || !table || !Object.hasOwn(table, value)) return undefined;
  return message(`${JSON.stringify(value)} for ${where}`, table[value]!);
}
