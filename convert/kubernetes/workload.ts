// One workload per service (workload-kind.ts says which), with its pod template: the
// container, the waits for its dependencies, volumes, and the pod-level settings
// (hostname, extra_hosts, dns, init, stop_grace_period, security).

import type { Service } from '../../model/types.js';
import { serviceObjectName, warnService, type ConvertContext } from './convert-context.js';
import type { K8sObject } from './convert-types.js';
import { mainContainer } from './container.js';
import { dependencyWaits } from './dependency-waits.js';
import { jobWaiterName } from './job-waiter.js';
import { isDns1035Label } from './k8s-names.js';
import { networkLabel, objectLabels, selectorLabels, userLabels } from './labels.js';
import { networkKeys } from './pod-networks.js';
import { podVolumes } from './pod-volumes.js';
import { podSecurityContext } from './security-context.js';
import { workloadKind } from './workload-kind.js';

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

function hostAliases(ctx: ConvertContext, service: Service): Record<string, unknown>[] {
  const byIp = new Map<string, string[]>();
  service.extraHosts.forEach((h, i) => {
    if (h.ip === 'host-gateway' || !(IPV4.test(h.ip) || h.ip.includes(':')))
      return warnService(ctx, service, ['extra_hosts', i], `extra host ${h.host}:${h.ip} has no address a pod can use`);
    byIp.set(h.ip, [...(byIp.get(h.ip) ?? []), h.host]);
  });
  return [...byIp].map(([ip, hostnames]) => ({ ip, hostnames }));
}

function dnsConfig(service: Service): Record<string, unknown> | undefined {
  const options = service.dnsOpt.map((o) => {
    const [name, value] = o.split(':');
    return value === undefined ? { name } : { name, value };
  });
  const config = {
    ...(service.dns.length ? { nameservers: service.dns } : {}),
    ...(service.dnsSearch.length ? { searches: service.dnsSearch } : {}),
    ...(options.length ? { options } : {}),
  };
  return Object.keys(config).length ? config : undefined;
}

function podLabels(ctx: ConvertContext, service: Service, own: Record<string, string>): Record<string, string> {
  const networks = networkKeys(ctx.stack, service).flatMap((k) => {
    const label = networkLabel(k);
    return label ? [[label, 'true'] as const] : [];
  });
  return { ...own, ...objectLabels(ctx, service), ...Object.fromEntries(networks) };
}

function podSpec(ctx: ConvertContext, service: Service, restartPolicy: string): Record<string, unknown> {
  const { volumes, mounts } = podVolumes(ctx, service);
  const waits = dependencyWaits(ctx, service);
  const aliases = hostAliases(ctx, service);
  const dns = dnsConfig(service);
  const security = podSecurityContext(ctx, service);
  const hostname = service.hostname && isDns1035Label(service.hostname) ? service.hostname : undefined;
  if (service.hostname && !hostname)
    warnService(ctx, service, ['hostname'], `hostname "${service.hostname}" is not a DNS label; the pod keeps its own`);
  return {
    ...(waits.readsJobs ? { serviceAccountName: jobWaiterName(ctx) } : {}),
    ...(hostname ? { hostname } : {}),
    ...(service.init ? { shareProcessNamespace: true } : {}),
    restartPolicy,
    terminationGracePeriodSeconds: service.stopGracePeriodSeconds,
    ...(waits.initContainers.length ? { initContainers: waits.initContainers } : {}),
    containers: [mainContainer(ctx, service, mounts)],
    ...(aliases.length ? { hostAliases: aliases } : {}),
    ...(dns ? { dnsConfig: dns } : {}),
    ...(security ? { securityContext: security } : {}),
    ...(volumes.length ? { volumes } : {}),
  };
}

function template(ctx: ConvertContext, service: Service, restartPolicy: string): Record<string, unknown> {
  const { labels, annotations } = userLabels(ctx, service);
  return {
    metadata: {
      labels: podLabels(ctx, service, labels),
      ...(Object.keys(annotations).length ? { annotations } : {}),
    },
    spec: podSpec(ctx, service, restartPolicy),
  };
}

function jobOf(ctx: ConvertContext, service: Service, metadata: K8sObject['metadata']): K8sObject {
  const r = service.restart;
  if (r.name === 'always' || r.name === 'unless-stopped')
    warnService(
      ctx,
      service,
      ['restart'],
      `a one-shot (others wait for it to complete) with restart: ${r.name} becomes a Job, which does not run again once it completed`,
    );
  const onFailure = r.name === 'on-failure';
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata,
    spec: {
      ...(service.replicas !== 1 ? { completions: service.replicas, parallelism: service.replicas } : {}),
      backoffLimit: onFailure ? (r.maxRetries ?? 6) : 0,
      template: template(ctx, service, onFailure ? 'OnFailure' : 'Never'),
    },
  };
}

export function workloadOf(ctx: ConvertContext, service: Service): K8sObject {
  const kind = workloadKind(ctx.stack, service);
  const metadata = { name: serviceObjectName(service), labels: objectLabels(ctx, service) };
  if (kind === 'Job') return jobOf(ctx, service, metadata);
  if (service.restart.name === 'on-failure' && service.restart.maxRetries !== undefined)
    warnService(
      ctx,
      service,
      ['restart'],
      'Kubernetes restarts a long-running pod without a limit: the retry count is not carried over',
    );
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata,
    spec: {
      ...(kind === 'StatefulSet' ? { serviceName: serviceObjectName(service) } : {}),
      replicas: service.replicas,
      selector: { matchLabels: selectorLabels(ctx, service) },
      template: template(ctx, service, 'Always'),
    },
  };
}
