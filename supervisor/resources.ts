// What the supervisor holds right now, answered to a `resources` request: its memory by
// kind and its live libuv handles and requests by type. The memory bench prints it
// (bench/supervisor-memory.mjs: is growth in the JS heap, in C memory, or in mapped
// files?), and a test checks that many operations leave no more handles than one
// (test/integration/supervisor-resources.test.ts).

import fs from 'node:fs';

export interface SupervisorMemory {
  /** process.memoryUsage(), bytes. */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** RSS in anonymous memory (JS heap, C heap, thread stacks) and in mapped files (node, libraries), bytes. */
  rssAnon: number;
  rssFile: number;
}

export interface SupervisorResources {
  memory: SupervisorMemory;
  /** Live handles and requests by type (process.getActiveResourcesInfo(): PipeWrap, ProcessWrap, Timeout…). */
  handles: Record<string, number>;
}

export function supervisorResources(): SupervisorResources {
  const handles: Record<string, number> = {};
  for (const type of process.getActiveResourcesInfo()) handles[type] = (handles[type] ?? 0) + 1;
  const { rss, heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kB = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? 0) * 1024;
  return {
    memory: { rss, heapTotal, heapUsed, external, arrayBuffers, rssAnon: kB('RssAnon'), rssFile: kB('RssFile') },
    handles,
  };
}
