// Resource limit names shared by the file check (planner) and the init stages, which set
// them with setrlimit by number.

/** ulimit names in RLIMIT_* number order (cpu = 0 … rttime = 15). */
export const ULIMIT_NAMES = [
  'cpu',
  'fsize',
  'data',
  'stack',
  'core',
  'rss',
  'nproc',
  'nofile',
  'memlock',
  'as',
  'locks',
  'sigpending',
  'msgqueue',
  'nice',
  'rtprio',
  'rttime',
];

/**
 * The hard limits of /proc/PID/limits by ulimit name (its rows are in RLIMIT_* order);
 * `unlimited` is Infinity. A process may lower these without a capability, never raise them.
 */
export function hardLimitsOf(procLimits: string): Record<string, number> {
  const rows = procLimits
    .split('\n')
    .slice(1)
    .filter((l) => l.trim());
  const out: Record<string, number> = {};
  rows.forEach((row, i) => {
    const name = ULIMIT_NAMES[i];
    // "Max open files   20000   20000   files": soft and hard are the first two fields after the name.
    const fields = row.slice(26).trim().split(/\s+/);
    if (name && fields[1] !== undefined) out[name] = fields[1] === 'unlimited' ? Infinity : Number(fields[1]);
  });
  return out;
}
