// Services: the names the stack's DNS answers, and the ports it publishes. Each service
// gets a headless Service of its name (cluster DNS answers the pods' own addresses, any
// port, as the stack's DNS answers the containers'), and one more per network alias,
// container_name and hostname. Published ports become one Service of the type the user
// chose (LoadBalancer or NodePort), whose ports are the host ports.

import type { Service } from '../../model/types.js';
import { serviceObjectName, warnService, type ConvertContext } from './convert-context.js';
import type { K8sObject } from './convert-types.js';
import { containerPorts } from './container.js';
import { dnsLabel, isDns1035Label } from './k8s-names.js';
import { objectLabels, selectorLabels } from './labels.js';
import { podNetworks } from './pod-networks.js';

const NODE_PORTS = { min: 30000, max: 32767 };

const portName = (port: number, protocol: string) => `${protocol.toLowerCase()}-${port}`;

function headless(ctx: ConvertContext, service: Service, name: string): K8sObject {
  const ports = containerPorts(service).map((p) => ({
    name: portName(p.containerPort, p.protocol),
    port: p.containerPort,
    targetPort: p.containerPort,
    protocol: p.protocol,
  }));
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: objectLabels(ctx, service) },
    spec: { clusterIP: 'None', selector: selectorLabels(ctx, service), ...(ports.length ? { ports } : {}) },
  };
}

/** The extra names of a service, each with where the file gives it. */
function extraNames(service: Service): { name: string; path: (string | number)[] }[] {
  return [
    ...service.networks.flatMap((n) => n.aliases.map((a) => ({ name: a, path: ['networks', n.network, 'aliases'] }))),
    ...(service.containerName ? [{ name: service.containerName, path: ['container_name'] }] : []),
    ...(service.hostname ? [{ name: service.hostname, path: ['hostname'] }] : []),
  ];
}

/** The DNS Services of every service with a network: names first, then extra names; a name is given once. */
export function dnsServices(ctx: ConvertContext): K8sObject[] {
  const withNetworks = ctx.stack.services.filter((s) => podNetworks(ctx.stack, s).kind === 'networks');
  const taken = new Map<string, string>();
  const out: K8sObject[] = [];
  for (const s of withNetworks) {
    const name = serviceObjectName(s);
    if (name !== s.name)
      warnService(ctx, s, [], `the service name "${s.name}" is not a DNS label; in the cluster it is "${name}"`);
    taken.set(name, s.name);
    out.push(headless(ctx, s, name));
  }
  for (const s of withNetworks) {
    for (const { name, path } of extraNames(s)) {
      const lower = name.toLowerCase();
      if (lower === s.name.toLowerCase() || taken.get(lower) === s.name) continue;
      if (!isDns1035Label(lower)) {
        warnService(ctx, s, path, `the name "${name}" is not a DNS label, so no Service answers it in the cluster`);
        continue;
      }
      if (taken.has(lower)) {
        warnService(
          ctx,
          s,
          path,
          `the name "${name}" is also ${taken.get(lower)}'s; the cluster answers it for ${taken.get(lower)} only`,
        );
        continue;
      }
      taken.set(lower, s.name);
      out.push(headless(ctx, s, lower));
    }
  }
  return out;
}

/** Whether the stack publishes the service's ports: only from a network with a way out (planner/plan/plan-ports.ts). */
export function publishes(ctx: ConvertContext, service: Service): boolean {
  if (service.ports.length === 0) return false;
  const nets = podNetworks(ctx.stack, service);
  if (nets.kind !== 'networks') return false;
  return nets.keys.some((k) => !ctx.stack.networks.find((n) => n.key === k)?.internal);
}

export function publishedService(ctx: ConvertContext, service: Service): K8sObject | undefined {
  if (!publishes(ctx, service)) return undefined;
  const nodePort = ctx.options.publishAs === 'NodePort';
  const seen = new Set<string>();
  const ports: Record<string, unknown>[] = [];
  service.ports.forEach((p, i) => {
    const port = p.hostPort || p.containerPort;
    const protocol = p.protocol === 'udp' ? 'UDP' : 'TCP';
    if (seen.has(`${port}/${protocol}`)) return;
    seen.add(`${port}/${protocol}`);
    if (p.hostIp && p.hostIp !== '0.0.0.0')
      warnService(
        ctx,
        service,
        ['ports', i],
        `the host address ${p.hostIp} is not carried over: the Service listens on every address`,
      );
    if (p.hostPortEnd !== undefined)
      warnService(ctx, service, ['ports', i], `a host port range is published on its first port, ${port}`);
    const inRange = port >= NODE_PORTS.min && port <= NODE_PORTS.max;
    if (nodePort && !inRange)
      warnService(
        ctx,
        service,
        ['ports', i],
        `host port ${port} is outside the cluster's NodePort range (${NODE_PORTS.min}-${NODE_PORTS.max}); the cluster picks the node port`,
      );
    ports.push({
      name: portName(port, protocol),
      port,
      targetPort: p.containerPort,
      protocol,
      ...(nodePort && inRange ? { nodePort: port } : {}),
    });
  });
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: dnsLabel(`${serviceObjectName(service)}-published`), labels: objectLabels(ctx, service) },
    spec: { type: ctx.options.publishAs, selector: selectorLabels(ctx, service), ports },
  };
}
