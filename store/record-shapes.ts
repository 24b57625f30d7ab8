// What a state record must look like to be read (state-store.ts): the fields the readers
// use, each of the type stack wrote. A record that fails is reported as damaged, with its
// path and the first thing wrong, instead of failing later on a missing field.

import { anyObject, anyStr, bool, listOf, num, oneOf, shape, str, type Check } from './shape-check.js';

const endpoint = shape({
  network: str,
  bridge: str,
  hostVeth: str,
  ifname: str,
  ip: str,
  prefixLength: num,
  gateway: anyStr,
  defaultRoute: bool,
  'aliases?': listOf(str),
  'mtu?': num,
  'linkLocalIps?': listOf(str),
});

const containerSpec = shape({
  project: str,
  service: str,
  name: str,
  'displayName?': str,
  'containerName?': str,
  hostname: anyStr,
  image: shape({ ref: str, id: str, layers: listOf(str) }),
  argv: listOf(anyStr),
  env: listOf(anyStr),
  cwd: anyStr,
  endpoints: listOf(endpoint),
  hosts: listOf(shape({ ip: str, names: listOf(str) })),
  stopSignal: str,
  stopGraceSeconds: num,
  replica: num,
  user: anyStr,
  resources: anyObject,
  capabilities: listOf(str),
  privileged: bool,
  seccomp: anyStr,
  noNewPrivileges: bool,
  readOnlyRootfs: bool,
  mounts: listOf(shape({ type: oneOf('bind', 'volume', 'tmpfs', 'file', 'image'), source: anyStr, target: str })),
  shmSizeBytes: num,
  sysctls: anyObject,
  ulimits: anyObject,
  init: bool,
  tty: bool,
  resolvConf: listOf(anyStr),
  'networkMode?': str,
  'domainname?': str,
  'stdinOpen?': bool,
  'healthcheck?': anyObject,
  'postStart?': listOf(anyObject),
  'preStop?': listOf(anyObject),
  restart: shape({ name: str }),
  labels: anyObject,
  'oneOffPorts?': listOf(anyObject),
  'annotations?': anyObject,
  hash: str,
});

export const containerRecordShape: Check = shape({
  spec: containerSpec,
  status: oneOf('creating', 'created', 'starting', 'running', 'exited'),
  'pid?': num,
  'startTime?': num,
  'exitCode?': num,
  'oomKilled?': bool,
  'startedAt?': str,
  'finishedAt?': str,
  'health?': shape({ status: oneOf('starting', 'healthy', 'unhealthy'), failingStreak: num, log: listOf(anyObject) }),
  'restartCount?': num,
  'stopped?': bool,
  'paused?': bool,
  'claimant?': shape({ pid: num, startTime: num }),
});

export const networkRecordShape: Check = shape({
  project: str,
  key: str,
  name: str,
  bridge: str,
  subnet: str,
  gateway: str,
  prefixLength: num,
  'internal?': bool,
  'ipRange?': str,
  'owner?': str,
  'mtu?': num,
  'auxAddresses?': listOf(str),
  'labels?': anyObject,
});

export const natRecordShape: Check = shape({
  project: str,
  table: str,
  hash: str,
  networks: listOf(shape({ bridge: str, subnet: str, 'key?': str, 'internal?': bool })),
  ports: listOf(
    shape({
      service: str,
      container: str,
      protocol: oneOf('tcp', 'udp'),
      'hostIp?': str,
      hostPort: num,
      containerIp: str,
      containerPort: num,
    }),
  ),
});
