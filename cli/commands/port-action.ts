// What `stack port` does (loaded only when it runs; see port.ts): read from the stack's NAT
// record, so it answers without the supervisor and without the file.

import { shownName, slotOf } from '../../model/names.js';
import { readState } from '../../store/state-store.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';

export interface PortOptions {
  protocol: string;
  index: string;
}

export async function port(
  globals: GlobalOptions,
  service: string,
  privatePort: string,
  opts: PortOptions,
): Promise<void> {
  const containerPort = Number(privatePort);
  if (!Number.isInteger(containerPort) || containerPort < 1 || containerPort > 65535)
    throw new UsageError(`private port ${JSON.stringify(privatePort)} is not a port number (1-65535)`);
  if (opts.protocol !== 'tcp' && opts.protocol !== 'udp')
    throw new UsageError(`--protocol ${opts.protocol}: use tcp or udp`);
  const index = Number(opts.index);
  if (!Number.isInteger(index) || index < 1) throw new UsageError(`--index ${opts.index}: use a replica number from 1`);
  const project = projectOf(globals);
  const [records, nat] = await Promise.all([readState.containers(project), readState.nat(project)]);
  const container = records.find((r) => r.spec.service === service && (r.spec.replica ?? 1) === index);
  if (!container) {
    const services = [...new Set(records.map((r) => r.spec.service))].sort();
    throw new Error(
      `service ${service} has no container ${index} in stack ${project}${services.length ? ` (its services: ${services.join(', ')})` : ' (the stack is not up)'}`,
    );
  }
  // By slot: while a replacement runs beside the old container, the rules name either.
  const slot = shownName(container.spec);
  const rules = (nat?.ports ?? []).filter(
    (p) => slotOf(p.container) === slot && p.containerPort === containerPort && p.protocol === opts.protocol,
  );
  if (rules.length === 0)
    throw new Error(
      `port ${containerPort}/${opts.protocol} of ${slot} is not published; add it to \`ports:\` of service ${service}`,
    );
  for (const r of rules) process.stdout.write(`${r.hostIp ?? '0.0.0.0'}:${r.hostPort}\n`);
}
