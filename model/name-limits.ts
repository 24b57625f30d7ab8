// How long the names of a stack may be, and why: each ends up in a kernel object or a path
// with a fixed limit, and a name past it failed half-way through `up` (a truncated socket
// path left a stray socket in STACK_RUN). Names of links are hashes already (names.ts); the
// others are checked here before anything is made.

/**
 * Project, service, network and volume keys: 63 characters, a DNS label (services are
 * resolved by name), which also keeps `<project>/<service>` within the 128 bytes of an
 * nftables rule comment and `<project>-<service>-<n>.b` far below a file name's 255 bytes.
 */
export const MAX_NAME_LENGTH = 63;
/** container_name: a file name with `.log.times` or `_anon_<hash>` after it stays under 255 bytes. */
export const MAX_CONTAINER_NAME_LENGTH = 128;
/** A volume's own `name:`: its folder under STACK_ROOT/volumes, a file name of at most 255 bytes. */
export const MAX_VOLUME_NAME_LENGTH = 200;
/** hostname and domainname: the kernel's HOST_NAME_MAX (sethostname fails past it). */
export const MAX_HOSTNAME_BYTES = 64;
/** A unix socket path: sun_path is 108 bytes with its NUL; a longer one is cut short by bind(2). */
export const MAX_SOCKET_PATH_BYTES = 107;

const encoder = new TextEncoder();
export const byteLength = (s: string): number => encoder.encode(s).length;

/** The supervisor's socket for `project` under `runDir` (STACK_RUN); paths.ts builds the same. */
export function socketPath(runDir: string, project: string): string {
  return `${runDir.replace(/\/+$/, '')}/${project}/supervisor.sock`;
}

/** What is wrong with the socket path of `project` under `runDir`, or undefined when it fits. */
export function socketPathProblem(runDir: string, project: string): string | undefined {
  const socket = socketPath(runDir, project);
  const over = byteLength(socket) - MAX_SOCKET_PATH_BYTES;
  if (over <= 0) return undefined;
  return `project name "${project}" makes the supervisor's socket path ${socket} ${over} byte${over === 1 ? '' : 's'} longer than a unix socket path may be (${MAX_SOCKET_PATH_BYTES}); use a shorter name, or a shorter STACK_RUN`;
}
