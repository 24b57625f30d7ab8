// What `stack push` and `stack image push` do (loaded only when they run; see push.ts and
// image.ts): each image sent with plain progress lines on stderr (as docker prints them)
// and `REF: digest: … size: …` on stdout.

import { pushImage, type PushEvent } from '../../images/push-image.js';
import type { Service } from '../../model/types.js';
import { escapeControls } from '../terminal-text.js';
import { loadStackFiles, UsageError, type GlobalOptions } from '../stack-file.js';

export interface StackPushOptions {
  ignorePushFailures?: boolean;
  quiet?: boolean;
}

export interface ImagePushOptions {
  quiet?: boolean;
}

const short = (digest: string) => digest.slice(7, 19);

function progress(quiet: boolean | undefined): (e: PushEvent) => void {
  if (quiet) return () => {};
  return (e) => {
    if (e.type === 'blob-exists') process.stderr.write(`${short(e.digest)}: Layer already exists\n`);
    else if (e.type === 'blob-pushed') process.stderr.write(`${short(e.digest)}: Pushed\n`);
  };
}

export async function imagePush(ref: string, opts: ImagePushOptions): Promise<void> {
  if (!opts.quiet) process.stderr.write(`pushing ${ref}\n`);
  const pushed = await pushImage(ref, { onEvent: progress(opts.quiet) });
  process.stdout.write(`${pushed.ref}: digest: ${pushed.digest} size: ${pushed.size}\n`);
}

/**
 * The references `stack push` sends for a service, as compose does: none unless it builds
 * and names its image (the `<project>-<service>` default names no registry), then the
 * image and the build's extra tags.
 */
export function pushTargets(project: string, service: Service): string[] {
  if (!service.build) return [];
  const named = service.image !== `${project}-${service.name}` && service.image !== `${project}_${service.name}`;
  return [...(named ? [service.image] : []), ...service.build.tags];
}

export async function stackPush(globals: GlobalOptions, names: string[], opts: StackPushOptions): Promise<void> {
  const stack = loadStackFiles(globals, {});
  const unknown = names.filter((n) => !stack.services.some((s) => s.name === n));
  if (unknown.length > 0)
    throw new UsageError(
      `no such service: ${unknown.join(', ')}; the file has ${stack.services.map((s) => s.name).join(', ') || 'no services'}`,
    );
  const chosen = stack.services.filter((s) => names.length === 0 || names.includes(s.name));
  const refs = [...new Set(chosen.flatMap((s) => pushTargets(stack.project, s)))];
  if (refs.length === 0 && !opts.quiet)
    process.stderr.write('no service builds an image with a name to push (`build:` with `image:`, or `build.tags`)\n');
  for (const ref of refs) {
    try {
      await imagePush(ref, opts);
    } catch (err) {
      if (!opts.ignorePushFailures) throw err;
      // compose's --ignore-push-failures: the failure is a warning, the command succeeds.
      process.stderr.write(escapeControls(`warning: ${ref} was not pushed: ${(err as Error).message}\n`));
    }
  }
}
