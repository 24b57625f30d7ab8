// Compose's `develop.watch`: rules that act on edits of a service's sources while `stack
// watch` (or `up --watch`) runs. The loader fills them (planner/load/develop-watch.ts); the
// CLI's watch loop acts on them (cli/watch/develop/).

import type { ServiceHook } from './lifecycle-hooks.js';

export type WatchAction = 'sync' | 'rebuild' | 'restart' | 'sync+restart' | 'sync+exec';

export const WATCH_ACTIONS: readonly WatchAction[] = ['sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec'];

/** Whether the action copies files into the container (and so needs a target). */
export const syncsFiles = (action: WatchAction): boolean => action.startsWith('sync');

/** One entry of `develop.watch`. */
export interface WatchRule {
  /** The watched file or folder on the host, absolute. */
  path: string;
  action: WatchAction;
  /** Where `path` lands in the container (absolute); the sync actions need it. */
  target?: string;
  /** Patterns (as in .dockerignore) relative to `path`: edits they match do nothing. */
  ignore: string[];
  /** Patterns relative to `path`: when given, only edits they match act. */
  include: string[];
  /** Sync the whole of `path` when watching starts, before any edit. */
  initialSync: boolean;
  /** `sync+exec`: the command run in the container after each sync. */
  exec?: ServiceHook;
}

export interface ServiceDevelop {
  watch: WatchRule[];
}
