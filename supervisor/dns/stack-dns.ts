// The DNS server of one stack's supervisor: it listens on the gateways of the networks this
// stack made and answers from the state records of every stack on the host (a network
// joined with `external: true` is served by the stack that made it, which then knows the
// joining stack's containers too).

import { readState } from '../../executor/host/linux/state-store.js';
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
      const projects = await readState.projects();
      const [records, networks] = await Promise.all([
        Promise.all(projects.map((p) => readState.containers(p))),
        readState.networks(project),
      ]);
      // A container that has exited answers nothing; one being created may already ask.
      const entries: TableEntry[] = tableEntries(records.flat().filter((r) => r.status !== 'exited'));
      return { entries, gateways: networks.map((n) => n.gateway) };
    },
  });
}
