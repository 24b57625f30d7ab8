// What `stack events` does (loaded only when it runs; see events.ts).

import fs from 'node:fs';
import { paths } from '../../store/paths.js';
import { readEventHistory } from '../../store/event-history.js';
import { connectSupervisor } from '../../supervisor/client.js';
import { eventLine, type LifecycleEvent } from '../../supervisor/events.js';
import { lineReader, type Message } from '../../supervisor/protocol.js';
import { EXIT } from '../errors.js';
import { parseLogTime } from '../log-times.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';

export interface EventsOptions {
  format: string;
  json?: boolean;
  since?: string;
  until?: string;
}

export async function events(globals: GlobalOptions, opts: EventsOptions): Promise<number> {
  const now = Date.now();
  const since = opts.since !== undefined ? parseLogTime('--since', opts.since, now) : undefined;
  const until = opts.until !== undefined ? parseLogTime('--until', opts.until, now) : Infinity;
  const json = opts.json || opts.format === 'json';
  const print = (e: LifecycleEvent) => process.stdout.write((json ? JSON.stringify(e) : eventLine(e)) + '\n');
  const project = projectOf(globals);
  if (!fs.existsSync(paths.stackDir(project)))
    throw new UsageError(`stack ${project} is not up; \`stack up\` creates it`);
  // All of it in the past: the kept events are the answer; no supervisor needed.
  if (until <= now) {
    readEventHistory<LifecycleEvent>(project, since ?? -Infinity, until).forEach(print);
    return EXIT.ok;
  }
  const conn = (await connectSupervisor(project, { start: true }))!;
  const ended = new Promise<number>((resolve) => {
    process.once('SIGINT', () => resolve(EXIT.ok));
    process.once('SIGTERM', () => resolve(EXIT.ok));
    conn.on('close', () => resolve(EXIT.ok));
    if (until !== Infinity) setTimeout(() => resolve(EXIT.ok), until - now).unref();
  });
  // The history is read once the supervisor says the subscription is on and what came
  // before is in the file: nothing falls between the two, and an event in both (published
  // as the subscription began) is printed once.
  let kept = new Set<string>();
  let early: LifecycleEvent[] | undefined = since !== undefined ? [] : undefined;
  const live = (e: LifecycleEvent) => {
    if (!kept.has(JSON.stringify(e))) print(e);
  };
  conn.on(
    'data',
    lineReader((value) => {
      const m = value as Message;
      if (m.type === 'event') {
        if (early) early.push(m.event);
        else live(m.event);
      } else if (m.type === 'subscribed' && early) {
        const history = readEventHistory<LifecycleEvent>(project, since, until);
        history.forEach(print);
        kept = new Set(history.map((e) => JSON.stringify(e)));
        early.forEach(live);
        early = undefined;
      }
    }),
  );
  conn.write(JSON.stringify({ op: 'events' }) + '\n');
  const code = await ended;
  conn.destroy();
  return code;
}
