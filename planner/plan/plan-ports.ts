// Which host port each published container port gets: the PortRules of the NAT table.
// A fixed port is taken as written (check-host-ports has vetted it). A host range with one
// container port (`5000-5010:80`) means any free port of the range and no host port (`"80"`)
// any free port of Linux's ephemeral range, as docker does at start; stack chooses in the
// plan, from what observe saw, so `stack plan` shows the port. Free means held by no host
// socket, no other stack's rule and no other entry of this plan (port-holders.ts).
// A port an earlier apply chose for the same container port is kept while it is still in
// the window and free, so a re-apply changes nothing. Kept ports are settled before new
// ones are chosen: a new container never takes the port an existing one holds.

import type { Observed } from '../../model/observed.js';
import type { ContainerSpec, PortRule } from '../../model/plan.js';
import type { PortMapping, Service, Stack } from '../../model/types.js';
import { slotOf } from '../../model/names.js';
import { PortHolders, portText, type HostPortKey } from '../../model/port-holders.js';

/** Where ports without a host port are chosen: Linux's default ephemeral range, as docker does. */
export const EPHEMERAL = { first: 32768, last: 60999 };
/** Holders named in the problem when a whole window is taken; the rest are counted. */
const NAMED = 3;

interface Wanted {
  rule: PortRule;
  /** The ports it may have; undefined for a fixed port. */
  window?: { first: number; last: number };
}

/** `specs`: the containers that will exist after the plan (ports of the others are not published). */
export function planPorts(
  stack: Stack,
  observed: Observed,
  specs: ContainerSpec[],
): { ports: PortRule[]; problems: string[] } {
  const holders = new PortHolders(observed);
  // This stack's fixed ports first: no choice may take them.
  for (const s of stack.services) {
    for (const p of s.ports)
      if (windowOf(p) === undefined) holders.reserve(keyOf(p, p.hostPort), ours(`service ${s.name}`));
  }
  const services = new Map(stack.services.map((s) => [s.name, s]));
  const wanted = specs.flatMap((spec) => wantedOf(services.get(spec.service)!, spec));
  const choosing = wanted.filter((w) => w.window !== undefined);
  for (const w of choosing) keep(w, observed.nat?.ports ?? [], holders);
  const problems = choosing.filter((w) => w.rule.hostPort === 0).flatMap((w) => choose(w, holders) ?? []);
  for (const { rule } of wanted)
    if (rule.hostIp?.includes(':') && !rule.containerIp6)
      problems.push(
        `service ${rule.service}: port ${rule.containerPort}/${rule.protocol} is published on IPv6 address ${rule.hostIp}, but the network its default route goes through has no IPv6; set enable_ipv6: true on it`,
      );
  return { ports: wanted.filter((w) => w.rule.hostPort !== 0).map((w) => w.rule), problems };
}

function wantedOf(service: Service, spec: ContainerSpec): Wanted[] {
  // Published ports lead to the address on the network that carries the default route
  // (internal networks never do: nothing from outside reaches them).
  const route = spec.endpoints.find((e) => e.defaultRoute);
  const containerIp = route?.ip;
  if (!containerIp) return [];
  return service.ports.map((p) => {
    const window = windowOf(p);
    const hostIp = p.hostIp && p.hostIp !== '0.0.0.0' ? p.hostIp : undefined;
    const rule: PortRule = {
      service: spec.service,
      container: spec.name,
      protocol: p.protocol,
      ...(hostIp ? { hostIp } : {}),
      hostPort: window ? 0 : p.hostPort,
      containerIp,
      ...(route.ip6 ? { containerIp6: route.ip6 } : {}),
      containerPort: p.containerPort,
    };
    return window ? { rule, window } : { rule };
  });
}

/** The ports a mapping may take, or undefined when the file fixes one. */
function windowOf(p: PortMapping): Wanted['window'] {
  if (p.hostPort === 0) return EPHEMERAL;
  return p.hostPortEnd === undefined ? undefined : { first: p.hostPort, last: p.hostPortEnd };
}

function keyOf(p: { protocol: 'tcp' | 'udp'; hostIp?: string }, port: number): HostPortKey {
  return { protocol: p.protocol, port, ...(p.hostIp ? { hostIp: p.hostIp } : {}) };
}

const ours = (who: string) => ({ what: `published by ${who} of this stack`, fix: `give ${who} another host port` });

const inWindow = (port: number, w: Wanted) => port >= w.window!.first && port <= w.window!.last;

function keep(w: Wanted, earlier: PortRule[], holders: PortHolders): void {
  const r = w.rule;
  const kept = earlier.find(
    // By slot: a replacement started beside the old container keeps its ports.
    (e) =>
      slotOf(e.container) === slotOf(r.container) &&
      e.protocol === r.protocol &&
      e.containerPort === r.containerPort &&
      e.hostIp === r.hostIp &&
      inWindow(e.hostPort, w) &&
      !holders.holderOf(keyOf(r, e.hostPort)),
  );
  if (kept) take(w, kept.hostPort, holders);
}

/** Takes the first free port of the window, or says why there is none. */
function choose(w: Wanted, holders: PortHolders): string | undefined {
  const { first, last } = w.window!;
  for (let port = first; port <= last; port++) {
    if (holders.holderOf(keyOf(w.rule, port))) continue;
    take(w, port, holders);
    return undefined;
  }
  const taken = [];
  for (let port = first; port <= last && taken.length < NAMED; port++)
    taken.push(`${port} ${holders.holderOf(keyOf(w.rule, port))!.what}`);
  const more = last - first + 1 - taken.length;
  const range = portText(w.rule.hostIp, first === last ? `${first}` : `${first}-${last}`, w.rule.protocol);
  return (
    `service ${w.rule.service}: no free host port in ${range} for container port ${w.rule.containerPort} ` +
    `(${taken.join('; ')}${more > 0 ? `; and ${more} more` : ''}); ${w.window === EPHEMERAL ? 'give a host port in the file' : 'widen the range'} or free one of its ports`
  );
}

function take(w: Wanted, port: number, holders: PortHolders): void {
  w.rule.hostPort = port;
  holders.reserve(keyOf(w.rule, port), ours(w.rule.container));
}
