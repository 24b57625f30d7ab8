// The service's container: entrypoint and command (Kubernetes' command and args), the
// environment (env_file already folded in by the loader), working_dir, ports, resources,
// probes, securityContext, mounts and lifecycle hooks. Kubernetes expands `$(VAR)` in
// command, args and env values, which the stack does not: such text is escaped.

import type { ServiceHook } from '../../model/lifecycle-hooks.js';
import type { Service } from '../../model/types.js';
import { serviceObjectName, warnService, type ConvertContext } from './convert-context.js';
import { imageOf } from './image-reference.js';
import { probesOf } from './probes.js';
import { resourcesOf } from './resources.js';
import { containerSecurityContext } from './security-context.js';

/** `$(` and `$$` mean something to Kubernetes; doubling their `$` keeps the text as the stack passes it. */
export const escapeExpansion = (text: string): string => text.replace(/\$(?=[$(])/g, '$$$$');

/** Every port the container listens on that the file names (ports and expose), once each. */
export function containerPorts(service: Service): { containerPort: number; protocol: 'TCP' | 'UDP' }[] {
  const seen = new Map<string, { containerPort: number; protocol: 'TCP' | 'UDP' }>();
  const add = (port: number, proto: string) => {
    const protocol = proto === 'udp' ? 'UDP' : 'TCP';
    seen.set(`${port}/${protocol}`, { containerPort: port, protocol });
  };
  for (const p of service.ports) add(p.containerPort, p.protocol);
  for (const e of service.expose) {
    const [range = '', proto = 'tcp'] = e.split('/');
    const [from, to = from] = range.split('-').map(Number);
    for (let port = from!; port <= to! && port - from! < 1024; port++) add(port, proto);
  }
  return [...seen.values()].sort((a, b) => a.containerPort - b.containerPort || a.protocol.localeCompare(b.protocol));
}

function hook(ctx: ConvertContext, service: Service, key: 'post_start' | 'pre_stop', hooks: ServiceHook[] | undefined) {
  if (!hooks?.length) return undefined;
  const [first, ...rest] = hooks;
  if (
    rest.length ||
    first!.user !== undefined ||
    first!.privileged ||
    first!.workingDir !== undefined ||
    Object.keys(first!.environment).length
  )
    warnService(
      ctx,
      service,
      [key],
      `Kubernetes runs one ${key} command as the container's own process: only the first command is carried over, without its user, privileges, working_dir or environment`,
    );
  return { exec: { command: first!.command.map(escapeExpansion) } };
}

export function mainContainer(
  ctx: ConvertContext,
  service: Service,
  mounts: Record<string, unknown>[],
): Record<string, unknown> {
  if (service.entrypoint?.length === 0)
    warnService(
      ctx,
      service,
      ['entrypoint'],
      "an empty entrypoint cannot clear the image's in Kubernetes (an empty command keeps it)",
    );
  const env = Object.keys(service.environment)
    .sort()
    .map((name) => ({ name, value: escapeExpansion(service.environment[name]!) }));
  const ports = containerPorts(service);
  const postStart = hook(ctx, service, 'post_start', service.postStart);
  const preStop = hook(ctx, service, 'pre_stop', service.preStop);
  const resources = resourcesOf(ctx, service);
  const securityContext = containerSecurityContext(ctx, service);
  return {
    name: serviceObjectName(service),
    image: imageOf(ctx, service),
    ...(service.pullPolicy === 'always' ? { imagePullPolicy: 'Always' } : {}),
    ...(service.pullPolicy === 'never' ? { imagePullPolicy: 'Never' } : {}),
    ...(service.entrypoint?.length ? { command: service.entrypoint.map(escapeExpansion) } : {}),
    ...(service.command ? { args: service.command.map(escapeExpansion) } : {}),
    ...(service.workingDir ? { workingDir: service.workingDir } : {}),
    ...(env.length ? { env } : {}),
    ...(ports.length ? { ports } : {}),
    ...(resources ? { resources } : {}),
    ...probesOf(ctx, service),
    ...(postStart || preStop
      ? { lifecycle: { ...(postStart ? { postStart } : {}), ...(preStop ? { preStop } : {}) } }
      : {}),
    ...(securityContext ? { securityContext } : {}),
    ...(mounts.length ? { volumeMounts: mounts } : {}),
    ...(service.tty ? { tty: true } : {}),
    ...(service.stdinOpen ? { stdin: true } : {}),
  };
}
