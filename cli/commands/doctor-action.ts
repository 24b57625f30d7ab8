// What `stack doctor` does (loaded only when it runs; see doctor.ts).

import type { PublishedPort } from '../../doctor/ports.js';
import { checkThisHost } from '../../doctor/this-host.js';
import { blocksStack } from '../../doctor/verdict.js';
import { renderJson, renderText, summary } from '../doctor-render.js';
import { EXIT } from '../errors.js';
import { loadStackFiles, UsageError, type GlobalOptions } from '../stack-file.js';

export interface DoctorOptions {
  format: string;
}

/** The fixed host ports of the stack file here, when there is one that loads (doctor needs none). */
function publishedPorts(globals: GlobalOptions): PublishedPort[] {
  try {
    return loadStackFiles(globals).services.flatMap((s) =>
      s.ports
        .filter((p) => p.hostPort !== 0 && p.hostPortEnd === undefined)
        .map((p) => ({ service: s.name, port: p.hostPort })),
    );
  } catch {
    return [];
  }
}

export async function doctor(globals: GlobalOptions, opts: DoctorOptions): Promise<number> {
  if (opts.format !== 'text' && opts.format !== 'json')
    throw new UsageError(`unknown format "${opts.format}"; use text or json`);
  const results = await checkThisHost(publishedPorts(globals));
  if (opts.format === 'json') process.stdout.write(renderJson(results));
  else {
    process.stdout.write(renderText(results));
    process.stderr.write(summary(results));
  }
  return results.some(blocksStack) ? EXIT.error : EXIT.ok;
}
