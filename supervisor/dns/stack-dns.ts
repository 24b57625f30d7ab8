// The DNS server of one stack's supervisor: it listens on the gateways of the networks this
// stack made and answers from the state records of every stack on the host (a network
// joined with `external: true` is served by the stack that made it, which then knows the
// joining stack's containers too).

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
