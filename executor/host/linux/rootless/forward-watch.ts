// pasta has no control socket: its forwards are what it was started with. While a command
// runs inside the user's namespaces, its outer half (on the host's side, where pasta must be
// started) watches the tables' records of published ports (port-forwards.ts) and starts pasta
// again as soon as they change, so that a foreground `up` or `run -p` publishes while it
// runs, not only once it has ended. A last sync runs when the command ends.

import fs from 'node:fs';
import { makePrivateDirSync } from '../../../../store/private-files.js';
import { syncConnectorForwards } from './namespace-holder.js';
import { portsDir } from './rootless-paths.js';

export interface ForwardWatch {
  /** The last sync; rejects with the first error any sync met (a port pasta could not bind). */
  stop(): Promise<void>;
}

export function watchForwards(): ForwardWatch {
  let chain: Promise<void> = Promise.resolve();
  let failure: unknown;
  const sync = () => {
    chain = chain.then(() => syncConnectorForwards()).catch((err: unknown) => void (failure ??= err));
  };
  let watcher: fs.FSWatcher | undefined;
  try {
    makePrivateDirSync(portsDir());
    watcher = fs.watch(portsDir(), sync);
  } catch {
    /* no watch: the last sync still runs */
  }
  return {
    async stop() {
      watcher?.close();
      sync();
      await chain;
      if (failure) throw failure;
    },
  };
}
