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
