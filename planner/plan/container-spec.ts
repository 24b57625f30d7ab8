// Builds the ContainerSpec of one service: the image config overlaid by the file, with
// its addresses. Docker's rules: entrypoint from the file replaces the image's and then
// the image CMD is dropped; command from the file replaces CMD; file env overrides image env;
// the file's healthcheck fields override the image's HEALTHCHECK one by one; the file's
// stop_signal wins over the image's STOPSIGNAL, and SIGTERM is used when neither gives one.

import type { ImageInfo } from '../../model/observed.js';
import type { ContainerSpec, Endpoint, HostsEntry, MountSpec } from '../../model/plan.js';
import type { Service } from '../../model/types.js';
import { effectiveCapabilities } from '../../model/capabilities.js';
import { effectiveHealthcheck } from '../../model/effective-healthcheck.js';
import { containerHash } from '../../model/hash.js';
import { containerName } from '../../model/names.js';
import { noNewPrivilegesOf } from '../../model/security-opt.js';
import { mergeEnv } from '../../model/environment.js';
import { containerNamespaces, containerNetworkMode } from './network-mode.js';
import { linkAliases } from '../../model/links.js';
import { logConfig } from '../../model/log-rotation.js';
import { LazyMember } from './lazy-member.js';

export function resolveArgv(service: Service, image: ImageInfo): string[] {
  const entrypoint = service.entrypoint ?? image.entrypoint ?? [];
  const cmd = service.command ?? (service.entrypoint ? [] : (image.cmd ?? []));
  return [...entrypoint, ...cmd];
}

/** What a container gets when the file says nothing: Docker's defaults (tests build specs from here). */
export function defaultRuntimeOptions(): Pick<
  ContainerSpec,
  | 'replica'
  | 'user'
  | 'resources'
  | 'capabilities'
  | 'privileged'
  | 'seccomp'
  | 'noNewPrivileges'
  | 'readOnlyRootfs'
  | 'mounts'
  | 'shmSizeBytes'
  | 'sysctls'
  | 'ulimits'
  | 'init'
  | 'tty'
  | 'resolvConf'
  | 'restart'
  | 'labels'
> {
  return {
    replica: 1,
    user: '',
    resources: {},
    capabilities: effectiveCapabilities({ privileged: false, capAdd: [], capDrop: [] }),
    privileged: false,
    seccomp: 'default',
    // docker's default: setuid programs in the image (sudo) work (docs/security.md).
    noNewPrivileges: false,
    readOnlyRootfs: false,
    mounts: [],
    shmSizeBytes: 64 * 1024 * 1024,
    sysctls: {},
    ulimits: {},
    init: false,
    tty: false,
    resolvConf: [],
    restart: { name: 'no' },
    labels: {},
  };
}

/** `security_opt: [seccomp=unconfined]` or `seccomp=/path/profile.json`; the built-in filter otherwise. */
function seccompOf(securityOpt: string[]): string {
  const opt = securityOpt.find((o) => /^seccomp[=:]/.test(o));
  return opt ? opt.slice('seccomp='.length) : 'default';
}

/**
 * The TCP ports the service serves in its container, sorted: published ones and single
 * `expose` ports (`PORT/tcp`). An exposed range is left out: it is usually one a server
 * opens on demand (passive FTP, RTP), not one it listens on from the start.
 */
function tcpPortsOf(service: Service): number[] {
  const ports = new Set(service.ports.filter((p) => p.protocol === 'tcp').map((p) => p.containerPort));
  for (const entry of service.expose) {
    const m = /^(\d+)\/tcp$/.exec(entry);
    if (m) ports.add(Number(m[1]));
  }
  return [...ports].sort((a, b) => a - b);
}

export function buildContainerSpec(
  project: string,
  service: Service,
  image: ImageInfo,
  endpoints: Endpoint[],
  hosts: HostsEntry[],
  replica = 1,
  /** From planMounts (plan-mounts.ts). */
  mounts: MountSpec[] = [],
  dns: { resolvConf: string[]; dnsUpstreams?: string[] } = { resolvConf: [] },
): ContainerSpec {
  const name = containerName(project, service.name, replica);
  const spec: Omit<ContainerSpec, 'hash'> & { networkMode?: string } = {
    project,
    service: service.name,
    name,
    hostname: service.hostname ?? service.name,
    image: { ref: image.ref, id: image.id, layers: image.layers },
    argv: resolveArgv(service, image),
    env: mergeEnv(image.env, service.environment),
    cwd: service.workingDir ?? (image.workingDir || '/'),
    endpoints,
    hosts,
    stopSignal: service.stopSignal ?? image.stopSignal ?? 'SIGTERM',
    stopGraceSeconds: service.stopGracePeriodSeconds,
    replica,
    user: service.user ?? image.user ?? '',
    resources: service.resources,
    capabilities: effectiveCapabilities(service),
    privileged: service.privileged,
    seccomp: seccompOf(service.securityOpt),
    noNewPrivileges: noNewPrivilegesOf(service.securityOpt),
    readOnlyRootfs: service.readOnly,
    mounts,
    shmSizeBytes: service.shmSizeBytes ?? 64 * 1024 * 1024,
    sysctls: service.sysctls,
    ulimits: service.ulimits,
    init: service.init,
    tty: service.tty,
    resolvConf: dns.resolvConf,
    restart: service.restart,
    labels: service.labels,
  };
  const networkMode = containerNetworkMode(project, service.networkMode);
  if (networkMode !== undefined) spec.networkMode = networkMode;
  const links = linkAliases(service);
  if (links !== undefined) spec.links = links;
  const namespaces = containerNamespaces(project, service.namespaces);
  if (namespaces !== undefined) spec.namespaces = namespaces;
  if (service.containerName !== undefined) spec.containerName = service.containerName;
  if (service.groupAdd !== undefined) spec.groupAdd = service.groupAdd;
  if (service.domainname !== undefined) spec.domainname = service.domainname;
  if (service.stdinOpen) spec.stdinOpen = true;
  if (service.annotations && Object.keys(service.annotations).length > 0) spec.annotations = service.annotations;
  if (dns.dnsUpstreams) spec.dnsUpstreams = dns.dnsUpstreams;
  const logging = logConfig(service.logging);
  if (logging) spec.logging = logging;
  if (service.preStart) spec.preStart = service.preStart;
  if (service.postStart) spec.postStart = service.postStart;
  if (service.preStop) spec.preStop = service.preStop;
  const healthcheck = effectiveHealthcheck(service.healthcheck, image.healthcheck);
  if (healthcheck) spec.healthcheck = healthcheck;
  const readyPorts = tcpPortsOf(service);
  if (readyPorts.length > 0) spec.readyPorts = readyPorts;
  // The hash last, as a member of the spec itself: a copy of ~35 members per container is garbage.
  return withLazyHash(spec);
}

/** A spec's config hash, computed when first read (lazy-member.ts): `stack plan`'s text never prints it. */
const lazyHash = new LazyMember<Omit<ContainerSpec, 'hash'>, undefined, string>((spec) => containerHash(spec));

/** `spec` with its `hash` as its last member. */
function withLazyHash(spec: Omit<ContainerSpec, 'hash'>): ContainerSpec {
  lazyHash.define(spec, 'hash', undefined);
  return spec as ContainerSpec;
}
