// The bridge driver options (a network's `driver_opts`) stack implements, shared by the
// loader (which refuses the rest at their line) and the planner (which puts them into the
// network's spec): the MTU of the bridge and of every veth on it, and the bridge's name on
// the host. Stack makes, repairs and removes only host links named `stk…` (the executor
// refuses any other name), and its nftables rules (isolation between networks) and the
// accepts it adds next to docker know every stack bridge by the `stkb` prefix, so a chosen
// bridge name must start with stkb too.

export const MTU_OPTION = 'com.docker.network.driver.mtu';
export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
export const BRIDGE_OPTIONS = [MTU_OPTION, BRIDGE_NAME_OPTION] as const;

/** IPv4 needs 68; the kernel's largest is 65535. */
const MTU = { min: 68, max: 65535 };
/** A link name: IFNAMSIZ is 16 with the terminating NUL, docker's charset, and never `.` or `..` (the kernel refuses them). */
export const IFNAME = /^(?!\.{1,2}$)[A-Za-z0-9_.-]{1,15}$/;
/** The prefix of every stack bridge; the names stack gives its own (model/names.ts) are not for the file to take. */
export const BRIDGE_PREFIX = 'stkb';
const GENERATED = /^stkb[0-9a-f]{10}$/;

/** The MTU an option value asks for, or undefined when it is not a whole number in range. */
export function parseMtu(value: unknown): number | undefined {
  const s = String(value).trim();
  if (!/^\d+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= MTU.min && n <= MTU.max ? n : undefined;
}

export const MTU_RANGE = `a whole number from ${MTU.min} to ${MTU.max}`;

/**
 * Why `name` cannot be a bridge name stack makes: `invalid` when no Linux link could have
 * it, `foreign` when it is a valid name outside stack's bridges (`stkb…`), `generated`
 * when it has the form of the names stack gives them itself, else undefined.
 */
export function bridgeNameProblem(name: string): 'invalid' | 'foreign' | 'generated' | undefined {
  if (!IFNAME.test(name)) return 'invalid';
  if (!name.startsWith(BRIDGE_PREFIX) || name.length <= BRIDGE_PREFIX.length || name.includes('.')) return 'foreign';
  return GENERATED.test(name) ? 'generated' : undefined;
}
