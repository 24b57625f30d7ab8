// What `stack graph` does (loaded only when it runs; see graph.ts).

import { renderDot, renderMermaid } from '../../planner/plan/graph-render.js';
import { loadStackFiles, UsageError, type GlobalOptions } from '../stack-file.js';

export interface GraphOptions {
  format: string;
}

export async function graph(globals: GlobalOptions, opts: GraphOptions): Promise<void> {
  const render = { dot: renderDot, mermaid: renderMermaid }[opts.format];
  if (!render) throw new UsageError(`unknown graph format "${opts.format}"; use dot or mermaid`);
  process.stdout.write(render(loadStackFiles(globals)));
}
