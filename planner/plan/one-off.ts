// The ContainerSpec of a one-off container (`stack run`): a service of the stack file, or a
// bare image, with the command line's overrides. Named `<project>-<service>-run-<id>` like
// compose; on the stack's networks with the lowest address that no container of the stack
// holds and no other container or apply in progress claims (the network's foreignIps: the
// caller counts the claims, its own stack's included, under the allocation lock; see
// cli/commands/run-claim.ts). Pure: the caller observed the stack and found the image.

import { buildContainerSpec } from './container-spec.js';
import { containerDns } from './plan-endpoints.js';
import { onDefaultBridge } from './default-bridge.js';
import { nextFreeAddress, parseCidr } from '../../model/ipam.js';
import { vethName } from '../../model/names.js';
import type { Observed, ImageInfo } from '../../model/observed.js';
import type { ContainerSpec, Endpoint, HostsEntry } from '../../model/plan.js';
import type { Service, Stack } from '../../model/types.js';
import { planMounts } from './plan-mounts.js';

export interface OneOffOptions {
  /** Replaces the command (the image's or the file's) when not empty. */
  command: string[];
  entrypoint?: string[];
  /** `KEY=value` over the service's environment. */
  env: Record<string, string>;
  user?: string;
  workdir?: string;
  /** Random suffix of the name. */
  id: string;
  /** The stack the service is of: its volumes, secrets and configs are mounted, as compose's run does. */
  stack?: Stack;
  /** `--use-aliases`: the service's name and network aliases are the one-off's too (the DNS answers them with it). */
  useAliases?: boolean;
}

export class OneOffError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OneOffError';
  }
}

function endpointsFor(
  project: string,
  name: string,
  service: Service,
  observed: Observed,
  useAliases: boolean,
): { endpoints: Endpoint[]; hosts: HostsEntry[] } {
  const endpoints: Endpoint[] = [];
  service.networks.forEach((sn, index) => {
    const net = observed.networks.find((n) => n.key === sn.network && n.linkPresent);
    if (!net) {
      throw new OneOffError(
        `service ${service.name} is on network ${sn.network}, which does not exist yet; run \`stack up -d\` first, or give the service network_mode: none`,
      );
    }
    const used = new Set([
      ...observed.containers.flatMap((c) => c.endpoints.filter((e) => e.network === sn.network).map((e) => e.ip)),
      ...(net.foreignIps ?? []),
    ]);
    const ip = nextFreeAddress(net.subnet, net.gateway, used);
    if (!ip) throw new OneOffError(`no free address left in subnet ${net.subnet} of network ${sn.network}`);
    endpoints.push({
      network: sn.network,
      bridge: net.bridge,
      hostVeth: vethName(project, name, sn.network),
      ifname: `eth${index}`,
      ip,
      prefixLength: parseCidr(net.subnet).prefix,
      gateway: net.gateway,
      defaultRoute: index === 0,
      // compose's getAliases: --use-aliases gives it the service's name and its aliases.
      ...(useAliases ? { aliases: [service.name, ...sn.aliases] } : {}),
    });
  });
  // Its fellow containers by service name, on the networks they share.
  const nets = new Set(service.networks.map((n) => n.network));
  const hosts = observed.containers
    .filter((c) => c.running)
    .flatMap((c) =>
      c.endpoints
        .filter((e) => nets.has(e.network))
        .slice(0, 1)
        .map((e) => ({ ip: e.ip, names: [c.service, c.name] })),
    );
  return { endpoints, hosts };
}

export function oneOffSpec(
  project: string,
  service: Service,
  image: ImageInfo,
  observed: Observed,
  opts: OneOffOptions,
): ContainerSpec {
  // Joining the shared default bridge is an operation of an apply (its mark, made under
  // the allocation lock), which a one-off does not run: refused rather than run unconnected.
  if (onDefaultBridge(service))
    throw new OneOffError(
      `service ${service.name} has network_mode bridge, which \`stack run\` does not join yet; start it with \`stack up\`, or give it the stack's networks`,
    );
  const name = `${project}-${service.name}-run-${opts.id}`;
  const effective: Service = {
    ...service,
    environment: { ...service.environment, ...opts.env },
    ...(opts.command.length > 0 ? { command: opts.command } : {}),
    ...(opts.entrypoint ? { entrypoint: opts.entrypoint } : {}),
    ...(opts.user !== undefined ? { user: opts.user } : {}),
    ...(opts.workdir !== undefined ? { workingDir: opts.workdir } : {}),
    // compose run: no restart policy, no published ports for a one-off
    restart: { name: 'no' },
    ports: [],
    // compose run names its container itself: the service's container_name stays the service's.
    containerName: undefined,
  };
  const { endpoints, hosts } =
    service.networkMode === undefined
      ? endpointsFor(project, name, effective, observed, !!opts.useAliases)
      : { endpoints: [], hosts: [] };
  // The service's resolv.conf (127.0.0.11, the stack's resolver), as its own containers have.
  const mounts = opts.stack ? planMounts(opts.stack, effective, name, observed) : { mounts: [], problems: [] };
  if (mounts.problems.length > 0) throw new OneOffError(mounts.problems.join('; '));
  const spec = buildContainerSpec(
    project,
    effective,
    image,
    endpoints,
    hosts,
    1,
    mounts.mounts,
    containerDns(effective, endpoints),
  );
  // --compatibility: compose v1's `<project>_<service>_run_<id>` is the name it shows.
  const shown = opts.stack?.compatibility ? { containerName: [project, service.name, 'run', opts.id].join('_') } : {};
  return { ...spec, ...shown, name, labels: { ...spec.labels, 'stack.oneoff': 'true' } };
}
