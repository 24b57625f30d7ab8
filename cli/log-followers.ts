// Following the logs of a stack's containers as they come: `up` attached and `logs -f` both
// pick up containers that appear while they follow (a watch edit, a scale change, and the
// replacement a recreate starts beside the old container), each under its service's prefix.

import { containerStatus, logFileOf, type ContainerStatusRow } from '../supervisor/status.js';
import { printLog, type LogView } from './commands/logs-action.js';
import { logPrefixes } from './log-prefixes.js';

const POLL_MS = 500;

export interface LogFollowers {
  /** Follows the containers that are not followed yet (`fromEnd`: only what they write next). */
  poll(): Promise<void>;
  /** Stops following, once the lines written so far are shown: the followers poll their files, which would keep the process alive. */
  stop(): void;
}

export function logFollowers(
  project: string,
  opts: {
    wanted: (row: ContainerStatusRow) => boolean;
    color: boolean;
    view?: LogView;
    tail?: number;
    aligned?: boolean;
  },
): LogFollowers {
  const followed = new Set<string>();
  const stopped = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const poll = async (): Promise<void> => {
    const rows = (await containerStatus(project)).filter(opts.wanted);
    const fresh = rows.filter((r) => !followed.has(r.instance));
    if (fresh.length === 0) return;
    // A colour per service, one width, over every service seen so far.
    const services = [...new Set(rows.map((r) => r.service))];
    const texts = opts.aligned === false ? services.map(() => '') : logPrefixes(services, opts.color);
    const prefixes = new Map(services.map((svc, i) => [svc, texts[i]!]));
    const first = followed.size === 0;
    for (const r of fresh) {
      followed.add(r.instance);
      // A newcomer's log is shown whole; --tail applies to the containers there at the start.
      void printLog(
        logFileOf(project, r.instance),
        prefixes.get(r.service)!,
        true,
        first ? opts.tail : undefined,
        opts.view,
        stopped.signal,
      );
    }
  };
  return {
    async poll() {
      await poll();
      timer ??= setInterval(() => void poll().catch(() => {}), POLL_MS);
    },
    stop() {
      if (timer) clearInterval(timer);
      stopped.abort();
    },
  };
}
