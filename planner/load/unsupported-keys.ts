// Keys the Compose specification defines that stack does not implement. The schema rejects
// them like any unknown key, but a user who copied a valid compose file deserves to hear
// "valid Compose, not supported here" (and what to do) rather than "unknown key" with a
// far-fetched did-you-mean. Lists follow compose-spec's schema.

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
  credential_spec: '',
  device_cgroup_rules: '',
  devices: '',
  external_links: '',
  gpus: '',
  group_add: '',
  ipc: '',
  isolation: '',
  label_file: 'use labels',
  logging: "stack keeps each container's output for `stack logs`",
  mac_address: '',
  mem_swappiness: '',
  models: '',
  oom_kill_disable: '',
  oom_score_adj: '',
  pid: '',
  post_start: '',
  pre_stop: '',
  provider: '',
  pull_refresh_after: '',
  runtime: '',
  storage_opt: '',
  use_api_socket: '',
  userns_mode: '',
  uts: '',
  volumes_from: 'declare a named volume and mount it in both services',
  links: 'services on a shared network already reach each other by service name; use networks and aliases',
};

const TOP: Record<string, string> = { models: '' };
const NETWORK: Record<string, string> = {};
const VOLUME: Record<string, string> = {};

/**
 * The message for `key` when it is a Compose key stack lacks at `path` (a service, the top
 * level, a network, a volume), else undefined.
 */
export function unsupportedKeyMessage(
  path: readonly (string | number)[],
  key: string,
  where: string,
): string | undefined {
  const table =
    path.length === 0
      ? TOP
      : path.length === 2
        ? { services: SERVICE, networks: NETWORK, volumes: VOLUME }[String(path[0])]
        : undefined;
  if (!table || !Object.hasOwn(table, key)) return undefined;
  const instead = table[key] ? `; ${table[key]}` : '';
  return `"${key}" ${where} is a Compose key stack does not support yet: remove it${instead}`;
}
