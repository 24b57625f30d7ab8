// The exits of a stack's containers while attached `up` runs, for --abort-on-container-exit,
// --abort-on-container-failure and --exit-code-from: the supervisor's `die` events, plus the
// exits its records show from after `up` began (a one-shot can exit during the apply,
// before anyone listens to the events).

import type net from 'node:net';
import { readState } from '../store/state-store.js';
import { connectSupervisor } from '../supervisor/client.js';
import { lineReader, type Message } from '../supervisor/protocol.js';

export interface ContainerExit {
  service: string;
  /** The container's name as `ps` shows it. */
  container: string;
  /** -1: unknown (an adopted container). */
  exitCode: number;
}

export interface ExitWatch {
  /** The first exit, seen so far or to come, that `wanted` accepts. */
  next(wanted: (exit: ContainerExit) => boolean): Promise<ContainerExit>;
  close(): void;
}

export async function watchExits(project: string, sinceMs: number): Promise<ExitWatch> {
  const seen: ContainerExit[] = [];
  const waiting = new Set<{ wanted: (e: ContainerExit) => boolean; resolve: (e: ContainerExit) => void }>();
  const offer = (e: ContainerExit) => {
    seen.push(e);
    for (const w of waiting)
      if (w.wanted(e)) {
        waiting.delete(w);
        w.resolve(e);
      }
  };
  const conn: net.Socket | undefined = await connectSupervisor(project, { start: false });
  // The records are read once the supervisor says it publishes to us: read before, an exit
  // between the read and the subscription would be in neither, and up would wait for ever.
  let subscribed = Promise.resolve();
  if (conn) {
    let markSubscribed = () => {};
    subscribed = new Promise<void>((resolve) => (markSubscribed = resolve));
    conn.on('error', () => markSubscribed());
    conn.on('close', () => markSubscribed());
    conn.on(
      'data',
      lineReader((value) => {
        const m = value as Message;
        if (m.type === 'subscribed') return markSubscribed();
        if (m.type !== 'event' || m.event.type !== 'die') return;
        offer({ service: m.event.service, container: m.event.container, exitCode: m.event.exitCode ?? -1 });
      }),
    );
    conn.write(JSON.stringify({ op: 'events' }) + '\n');
  }
  await subscribed;
  // Listening now: what exited before is in the records.
  for (const r of await readState.containers(project)) {
    if (r.status !== 'exited' || r.stopped || !r.finishedAt || Date.parse(r.finishedAt) < sinceMs) continue;
    offer({
      service: r.spec.service,
      container: r.spec.containerName ?? r.spec.displayName ?? r.spec.name,
      exitCode: r.exitCode ?? -1,
    });
  }
  return {
    next: (wanted) => {
      const found = seen.find(wanted);
      return found ? Promise.resolve(found) : new Promise((resolve) => waiting.add({ wanted, resolve }));
    },
    close: () => conn?.destroy(),
  };
}
