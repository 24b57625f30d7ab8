// What `stack pull` does (loaded only when it runs; see pull.ts). As compose's pull: every
// selected service's image, again even when stored (`--policy missing`: only what the store
// lacks); services with pull_policy never or build are skipped, and so are services with
// `build:` under --ignore-buildable (without it, a buildable image that cannot be pulled
// is a warning: the builder makes it).

import { withPullFlag } from '../pull-flag.js';
import { storedImage } from '../../images/image-store.js';
import { normalizeImageRef } from '../../model/image-ref.js';
import type { Service } from '../../model/types.js';
import { selectServices, unknownServices } from '../../planner/plan/select-services.js';
import { EXIT } from '../errors.js';
import { loadStackFiles, UsageError, type GlobalOptions } from '../stack-file.js';
import { escapeControls } from '../terminal-text.js';
import { pullWithProgress } from './image-pull-action.js';

export interface PullOptions {
  ignoreBuildable?: boolean;
  quiet?: boolean;
  policy: string;
  includeDeps?: boolean;
  ignorePullFailures?: boolean;
  /** The policy replaces each service's pull_policy (`run --pull`), as compose's --pull does. */
  overridesServices?: boolean;
}

function pulled(s: Service, opts: PullOptions): boolean {
  if (s.pullPolicy === 'never' || s.pullPolicy === 'build') return false;
  return !(opts.ignoreBuildable && s.build);
}

export async function pull(globals: GlobalOptions, services: string[], opts: PullOptions): Promise<number> {
  if (opts.policy !== 'missing' && opts.policy !== 'always')
    throw new UsageError(`--policy ${opts.policy}: missing or always`);
  const loaded = loadStackFiles(globals);
  const stack = opts.overridesServices ? withPullFlag(loaded, opts.policy) : loaded;
  const unknown = unknownServices(stack, services);
  if (unknown.length > 0) throw new UsageError(unknown.join('; '));
  const selected = selectServices(stack, services, !opts.includeDeps);
  const targets = new Map<string, Service>();
  for (const s of stack.services.filter((x) => selected.has(x.name) && pulled(x, opts)))
    if (!targets.has(normalizeImageRef(s.image))) targets.set(normalizeImageRef(s.image), s);
  for (const [ref, s] of targets) {
    if (opts.policy === 'missing' && (await storedImage(ref))) continue;
    try {
      await pullWithProgress(ref, s.platform, !!opts.quiet);
    } catch (err) {
      if (!s.build && !opts.ignorePullFailures) throw err;
      const why = err instanceof Error ? err.message : String(err);
      process.stderr.write(
        `service ${s.name}: ${escapeControls(why)}${s.build ? ' (it has build: the builder makes it)' : ''}\n`,
      );
    }
  }
  return EXIT.ok;
}
