// What a top-level volume's `driver` and `driver_opts` mean to stack. Of docker's `local`
// driver it implements what users actually write: no options (a folder in stack's store)
// and the bind-backed volume `type: none, o: bind, device: /host/folder`, a named volume
// whose data lives in a folder of the host. rules/volumes.ts rejects everything else
// (nfs, cifs, tmpfs, block devices, other drivers) rather than ignore it.

/** The driver_opts of a bind-backed volume, besides its `device`. */
export const BIND_OPTS: Readonly<Record<string, string>> = { type: 'none', o: 'bind' };

/** How the supported forms are written, for messages. */
export const SUPPORTED_FORMS =
  'the local driver, without driver_opts or with type: none, o: bind and device: /host/folder';

/**
 * Compose makes `device` absolute when `o` is `bind` (compose-go paths/resolve.go), since
 * it is then a host path; any other `device` (an NFS export, a block device) is left alone.
 */
export function isBindDevice(driverOpts: Record<string, unknown>): boolean {
  return driverOpts.o === BIND_OPTS.o && typeof driverOpts.device === 'string' && driverOpts.device !== '';
}

/** The host folder that keeps a bind-backed volume's data; undefined for a volume in the store. */
export function volumeDevice(driverOpts: Record<string, string>): string | undefined {
  return driverOpts.type === BIND_OPTS.type && isBindDevice(driverOpts) ? driverOpts.device : undefined;
}
