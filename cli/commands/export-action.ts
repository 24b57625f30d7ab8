// What `stack export` does (loaded only when it runs; see export.ts): the tar is written by
// the Host in this process, into the file (made 0600 beside it, renamed once complete, so a
// failed export leaves no half archive) or to stdout, never to a terminal (as docker).

import fs from 'node:fs';
import path from 'node:path';
import { createLinuxHost } from '../../executor/host/linux/linux-host.js';
import { EXIT } from '../errors.js';
import { projectOf, type GlobalOptions } from '../stack-file.js';
import { UsageError } from '../usage-error.js';
import { serviceContainers } from '../service-containers.js';

export interface ExportOptions {
  output?: string;
  index?: string;
}

export async function exportService(globals: GlobalOptions, service: string, opts: ExportOptions): Promise<number> {
  if (opts.output === undefined && process.stdout.isTTY)
    throw new UsageError('refusing to write a tar to a terminal: use -o FILE or redirect stdout');
  const project = projectOf(globals);
  const [target] = await serviceContainers(project, service, { index: opts.index ?? '1' });
  const host = createLinuxHost();
  if (opts.output === undefined) {
    await host.containers.exportFs(project, target!.instance, process.stdout);
    return EXIT.ok;
  }
  const file = path.resolve(opts.output);
  const partial = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.partial`);
  try {
    await host.containers.exportFs(
      project,
      target!.instance,
      fs.createWriteStream(partial, { mode: 0o600, flags: 'wx' }),
    );
    fs.renameSync(partial, file);
  } finally {
    fs.rmSync(partial, { force: true });
  }
  return EXIT.ok;
}
