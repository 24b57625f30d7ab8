// The DNS server of one stack's supervisor: it listens on the gateways of the networks this
// stack made and answers from the state records of every stack on the host (a network
// joined with `external: true` is served by the stack that made it, which then knows the
// joining stack's containers too).

import fs from 'node:fs';
import path from 'node:path';
import { paths } from '../../store/paths.js';
import { readState } from '../../store/state-store.js';
import { readStacks } from '../../store/stacks-records.js';
import { DnsServer } from './dns-server.js';
import type { TableEntry } from './name-table.js';
import { tableEntries } from './slot-answers.js';
import { defaultUpstreams } from './upstream.js';

export function createStackDns(project: string, log: (line: string) => void, port?: number): DnsServer {
  const upstreams = defaultUpstreams();
  return new DnsServer({
    log,
    upstreams: () => upstreams,
    ...(port !== undefined ? { port } : {}),
    async load() {
      // A damaged record (this stack's too) answers nothing: the names of the others still resolve.
      const [all, networks] = await Promise.all([
        readState.projects().then((projects) => readStacks(projects, { containers: true })),
        readState.networkDir(project),
      ]);
      for (const skipped of [...all.skipped, ...networks.damaged.map((e) => e.message)]) log(`dns: skipped ${skipped}`);
      // A container that has exited answers nothing; one being created may already ask.
      const entries: TableEntry[] = tableEntries(
        all.containers.filter((r) => r.status !== 'exited' && r.status !== 'created'),
      );
      return { entries, gateways: networks.records.map((n) => n.gateway) };
    },
  });
}

/**
 * Whether `project` has networks recorded (damaged ones too): only then has its DNS server a
 * gateway to listen on, and names to serve at once (its own running containers', or those
 * of stacks that joined one of its networks). A supervisor started for a first `up` finds
 * none and skips the load at its start, which read every stack's records (~2–4 ms) while the
 * CLI's request waited; the apply loads the names before its first container is released.
 * When unsure (an unreadable folder), true.
 */
export function hasRecordedNetworks(project: string): boolean {
  try {
    return fs.readdirSync(path.join(paths.stateDir(project), 'networks')).length > 0;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
