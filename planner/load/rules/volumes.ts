// Top-level volumes whose driver or driver_opts stack does not implement (see
// volume-driver.ts). They are valid Compose, and ignoring them would put the data somewhere
// other than the user asked (an NFS volume silently kept on the local disk), so each is
// reported at its key with what to do instead. An external volume is used as it is, so
// driver, driver_opts and labels cannot apply to it (compose rejects them too).

import { toBool } from '../coerce.js';
import { BIND_OPTS, SUPPORTED_FORMS } from '../../../model/volume-driver.js';
import { obj, type Obj, type RuleContext } from './context.js';

const ONLY = `stack supports only ${SUPPORTED_FORMS} for now`;
const BIND_KEYS = [...Object.keys(BIND_OPTS), 'device'];

/** What to do instead of a filesystem type stack cannot mount as a volume. */
function insteadOfType(type: string): string {
  if (type === 'tmpfs')
    return 'for a tmpfs, mount one in the service instead (`tmpfs: /path:size=100m`, or a volumes entry with `type: tmpfs`)';
  return 'mount it on the host yourself and give that folder as device, or bind-mount it in the service';
}

function checkExternal(ctx: RuleContext, key: string, v: Obj): void {
  for (const field of ['driver', 'driver_opts', 'labels']) {
    if (v[field] === undefined) continue;
    ctx.at(
      ['volumes', key, field],
      `volume "${key}" is external, used as it is and never made by stack, so its "${field}" cannot apply; remove "${field}" (compose rejects it too)`,
      'key',
    );
  }
}

function checkDriverOpts(ctx: RuleContext, key: string, opts: Obj): void {
  const at = (field: string, message: string) => ctx.at(['volumes', key, 'driver_opts', field], message, 'key');
  const type = opts.type === undefined ? undefined : String(opts.type);
  // Another filesystem's o and device belong to it: its type is the one thing to fix.
  if (type !== undefined && type !== BIND_OPTS.type) {
    return at(
      'type',
      `driver_opts type ${JSON.stringify(type)} of volume "${key}" is not supported: ${ONLY}; ${insteadOfType(type)}`,
    );
  }
  const unknown = Object.keys(opts).filter((k) => !BIND_KEYS.includes(k));
  for (const field of unknown)
    at(field, `driver_opts "${field}" of volume "${key}" is not supported: ${ONLY}; remove "${field}"`);
  if (opts.o !== undefined && String(opts.o) !== BIND_OPTS.o) {
    at(
      'o',
      `driver_opts o ${JSON.stringify(String(opts.o))} of volume "${key}" is not supported: ${ONLY}; set mount options such as ro on the service's volumes entry instead`,
    );
  }
  const missing = BIND_KEYS.filter((k) => opts[k] === undefined || opts[k] === '');
  if (missing.length > 0 && missing.length < BIND_KEYS.length) {
    const names = missing.map((k) => `"${k}"`).join(' and ');
    ctx.at(
      ['volumes', key, 'driver_opts'],
      `driver_opts of volume "${key}" lack ${names}: a volume kept in a host folder needs type: none, o: bind and device: /host/folder together`,
      'key',
    );
  }
}

export function checkVolumeDeclarations(ctx: RuleContext): void {
  for (const key of ctx.declared('volumes')) {
    const v = obj(obj(ctx.root.volumes)?.[key]);
    if (!v) continue;
    if (v.external !== undefined && toBool(v.external) !== false) {
      checkExternal(ctx, key, v);
      continue;
    }
    if (typeof v.driver === 'string' && v.driver !== 'local') {
      ctx.at(
        ['volumes', key, 'driver'],
        `driver "${v.driver}" of volume "${key}" is not supported: ${ONLY}; remove "driver" to keep the volume in stack's store, or mount the storage on the host and give that folder as device`,
        'key',
      );
    }
    const opts = obj(v.driver_opts);
    if (opts) checkDriverOpts(ctx, key, opts);
  }
}
