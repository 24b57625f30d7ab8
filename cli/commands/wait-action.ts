// What `stack wait` does (loaded only when it runs; see wait.ts). The supervisor's event
// stream says when a container dies; its record says how one that stopped before we
// listened ended (docker's wait on a stopped container answers at once with its code).
// Each stop prints `container "NAME" exited with status code N`, as compose prints it.
// With --down-project the stack goes down at the first stop, with that stop's code.

import { shownName } from '../../model/names.js';
import { isRunning, readState } from '../../store/state-store.js';
import { connectSupervisor } from '../../supervisor/client.js';
import { lineReader, type Message } from '../../supervisor/protocol.js';
import { EXIT } from '../errors.js';
import { recordedExitOf } from '../recorded-exit.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { bringDown } from './down-action.js';

export interface WaitOptions {
  downProject?: boolean;
}

export async function wait(globals: GlobalOptions, services: string[], opts: WaitOptions): Promise<number> {
  const project = projectOf(globals);
  const conn = await connectSupervisor(project, { start: false });
  if (!conn) throw new Error(`stack ${project} is not running: no container to wait for`);
  let code: number | undefined;
  try {
    const pending = new Set<string>();
    let stopped!: () => void;
    const done = new Promise<void>((resolve) => (stopped = resolve));
    const ended = (name: string, exitCode: number | undefined) => {
      // With --down-project the first stop decides; later ones are the down's doing.
      if ((opts.downProject && code !== undefined) || !pending.delete(name)) return;
      code = exitCode ?? 0;
      process.stdout.write(`container "${name}" exited with status code ${code}\n`);
      if (pending.size === 0 || opts.downProject) stopped();
    };
    // Listening first: a container that dies while the records are read is still heard of
    // (kept until they are read; a stop both heard and recorded counts once).
    let heard: [string, number | undefined][] | undefined = [];
    // The die events of containers whose exit is not recorded yet (see recorded-exit.ts).
    const deaths = new Map<string, (exitCode: number | undefined) => void>();
    conn.on(
      'data',
      lineReader((value) => {
        const m = value as Message;
        if (m.type !== 'event' || m.event.type !== 'die') return;
        deaths.get(m.event.container)?.(m.event.exitCode);
        if (heard) heard.push([m.event.container, m.event.exitCode]);
        else ended(m.event.container, m.event.exitCode);
      }),
    );
    conn.on('close', () => stopped());
    conn.write(JSON.stringify({ op: 'events' }) + '\n');
    const records = (await readState.containers(project)).filter(
      (r) => services.length === 0 || services.includes(r.spec.service),
    );
    const unknown = services.filter((s) => !records.some((r) => r.spec.service === s));
    if (unknown.length > 0 || records.length === 0)
      throw new Error(
        unknown.length > 0
          ? unknown.map((s) => `service ${s} has no container in stack ${project}`).join('\n')
          : `no containers for stack ${project}`,
      );
    for (const r of records) pending.add(shownName(r.spec));
    for (const r of records) {
      if (isRunning(r)) continue;
      // Its process is gone but its exit is not recorded yet: the code comes with the record
      // (or the die event) a moment later, never as a guessed 0.
      const name = shownName(r.spec);
      if (r.status !== 'running') ended(name, r.exitCode);
      else {
        const died = new Promise<number | undefined>((resolve) => deaths.set(name, resolve));
        void recordedExitOf(project, r.spec.name, died).then((exit) => ended(name, exit));
      }
    }
    const early = heard;
    heard = undefined;
    for (const [name, exitCode] of early) ended(name, exitCode);
    await done;
  } finally {
    conn.destroy();
  }
  if (opts.downProject) await bringDown(project, undefined);
  return code ?? EXIT.ok;
}
