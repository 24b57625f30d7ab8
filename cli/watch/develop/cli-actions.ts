// The develop.watch actions as the CLI carries them out: syncs and execs through the Linux
// host in this process (as `stack exec` does), a restart through the supervisor (as
// `stack restart SERVICE` does), a rebuild through the builder and the supervisor's apply
// (as `up --build SERVICE` does: every build ends before anything is applied, so a failed
// build leaves the running container as it is).

import fs from 'node:fs';
import type { ReconcileOptions } from '../../../planner/plan/reconcile.js';
import type { Stack } from '../../../model/types.js';
import type { Host } from '../../../executor/host.js';
import { containerStatus } from '../../../supervisor/status.js';
import { renderError } from '../../errors.js';
import type { ProgressFormat } from '../../progress-format.js';
import { withStackLock } from '../../with-lock.js';
import type { ServiceActions } from './service-actions.js';
import { watchReporter } from './watch-events.js';

export interface CliActionsOptions {
  project: string;
  format: ProgressFormat;
  /** The stack as last loaded (a stack-file edit changes it). */
  stack: () => Stack;
  options: ReconcileOptions;
}

async function running(project: string, service: string) {
  return (await containerStatus(project)).filter((r) => r.service === service && r.state === 'running');
}

/**
 * The running containers of each service, read once and kept while their processes live:
 * reading the records costs more than a small sync. A restart, a rebuild or an applied
 * edit of the stack files (forget) reads them again.
 */
function containerCache(project: string) {
  const kept = new Map<string, { instance: string; pid?: number }[]>();
  return {
    async of(service: string): Promise<string[]> {
      let rows = kept.get(service);
      if (!rows || rows.some((r) => r.pid === undefined || !fs.existsSync(`/proc/${r.pid}`))) {
        rows = await running(project, service);
        kept.set(service, rows);
      }
      return rows.map((r) => r.instance);
    },
    forget: () => kept.clear(),
  };
}

export function cliServiceActions(o: CliActionsOptions): ServiceActions & { forget(): void } {
  const containers = containerCache(o.project);
  let host: Promise<Host> | undefined;
  const linux = () => (host ??= import('../../../executor/host/linux/linux-host.js').then((m) => m.createLinuxHost()));
  return {
    containersOf: (service) => containers.of(service),
    forget: () => containers.forget(),
    sync: async (container, request) => (await linux()).containers.sync(o.project, container, request),
    exec: async (container, hook) =>
      (await linux()).containers.exec(o.project, container, {
        argv: hook.command,
        env: Object.entries(hook.environment).map(([k, v]) => `${k}=${v}`),
        ...(hook.user !== undefined ? { user: hook.user } : {}),
        ...(hook.workingDir !== undefined ? { cwd: hook.workingDir } : {}),
        privileged: hook.privileged,
        stdio: 'pipe',
        onOutput: (_stream, chunk) => process.stderr.write(chunk),
      }),
    restart: async (service) => {
      const { requestLifecycle } = await import('../../commands/lifecycle-action.js');
      containers.forget();
      await withStackLock(o.project, 'stack watch', () =>
        requestLifecycle(o.project, 'restart', { services: [service] }, o.format),
      );
    },
    rebuild: async (service) => {
      const stack = o.stack();
      const pids = async () => (await running(o.project, service)).map((r) => `${r.instance}:${r.pid}`).join(' ');
      const { buildStackImages } = await import('../../build-images.js');
      const { applyStack } = await import('../../commands/up-action.js');
      containers.forget();
      return withStackLock(o.project, 'stack watch', async () => {
        const before = await pids();
        await buildStackImages(stack, { mode: 'always', wanted: [service] });
        await applyStack(stack, o.options, { format: o.format });
        return (await pids()) !== before;
      });
    },
    report: watchReporter(o.format),
    describe: async (err) => (await renderError(err)).text,
  };
}
