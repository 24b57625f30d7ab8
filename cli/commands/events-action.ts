// What `stack events` does (loaded only when it runs; see events.ts).

import fs from 'node:fs';
import { paths } from '../../store/paths.js';
import { connectSupervisor } from '../../supervisor/client.js';
import { eventLine } from '../../supervisor/events.js';
import { lineReader, type Message } from '../../supervisor/protocol.js';
import { EXIT } from '../errors.js';
import { projectOf, UsageError, type GlobalOptions } from '../stack-file.js';

export interface EventsOptions {
  format: string;
}

export async function events(globals: GlobalOptions, opts: EventsOptions): Promise<number> {
  const project = projectOf(globals);
  if (!fs.existsSync(paths.stackDir(project)))
    throw new UsageError(`stack ${project} is not up; \`stack up\` creates it`);
  const conn = (await connectSupervisor(project, { start: true }))!;
  const ended = new Promise<number>((resolve) => {
    process.once('SIGINT', () => resolve(EXIT.ok));
    process.once('SIGTERM', () => resolve(EXIT.ok));
    conn.on('close', () => resolve(EXIT.ok));
  });
  conn.on(
    'data',
    lineReader((value) => {
      const m = value as Message;
      if (m.type !== 'event') return;
      process.stdout.write(opts.format === 'json' ? JSON.stringify(m.event) + '\n' : eventLine(m.event) + '\n');
    }),
  );
  conn.write(JSON.stringify({ op: 'events' }) + '\n');
  const code = await ended;
  conn.destroy();
  return code;
}
