// The bridge driver options (a network's `driver_opts`) stack implements, shared by the
// loader (which refuses the rest at their line) and the planner (which puts them into the
// network's spec): the MTU of the bridge and of every veth on it, and the bridge's name on
// the host. Stack makes, repairs and removes only host links named `stk…` (the executor
// refuses any other name), so a chosen bridge name must start with stk too.

export const MTU_OPTION = 'com.docker.network.driver.mtu';
export const BRIDGE_NAME_OPTION = 'com.docker.network.bridge.name';
export const BRIDGE_OPTIONS = [MTU_OPTION, BRIDGE_NAME_OPTION] as const;

/** IPv4 needs 68; the kernel's largest is 65535. */
const MTU = { min: 68, max: 65535 };
/** IFNAMSIZ is 16 with the terminating NUL; docker's charset for link names. */
const IFNAME = /^[A-Za-z0-9_.-]{1,15}$/;
/** The names stack gives its own bridges and veths (model/names.ts): not for the file to take. */
const GENERATED = /^stk[bv][0-9a-f]{10}$/;

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
 * it, `foreign` when it is a valid name outside stack's own (`stk…`), else undefined.
 */
export function bridgeNameProblem(name: string): 'invalid' | 'foreign' | 'generated' | undefined {
  if (!IFNAME.test(name) || name === '.' || name === '..') return 'invalid';
  if (!name.startsWith('stk') || name.length < 4 || name.includes('.')) return 'foreign';
  return GENERATED.test(name) ? 'generated' : undefined;
}
