// Signal names a container can be stopped with: the file's `stop_signal` (checked by
// rules/service-fields.ts) and an image's StopSignal (read by images/manifest.ts).
// The runtime sends names from os.constants.signals and numbers as they are.

/** Linux signal names the container runtime can send (os.constants.signals on Linux). */
export const SIGNALS = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGILL',
  'SIGTRAP',
  'SIGABRT',
  'SIGIOT',
  'SIGBUS',
  'SIGFPE',
  'SIGKILL',
  'SIGUSR1',
  'SIGSEGV',
  'SIGUSR2',
  'SIGPIPE',
  'SIGALRM',
  'SIGTERM',
  'SIGCHLD',
  'SIGSTKFLT',
  'SIGCONT',
  'SIGSTOP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGXCPU',
  'SIGXFSZ',
  'SIGVTALRM',
  'SIGPROF',
  'SIGWINCH',
  'SIGIO',
  'SIGPOLL',
  'SIGPWR',
  'SIGSYS',
];

/** Linux's real-time signals as glibc numbers them (docker's RTMIN and RTMAX). */
const RTMIN = 34;
const RTMAX = 64;

/** `SIGTERM`, `TERM` or a number 1–64. */
export function isKnownSignal(s: string): boolean {
  if (/^\d+$/.test(s)) return Number(s) >= 1 && Number(s) <= 64;
  return SIGNALS.includes(s.startsWith('SIG') ? s : `SIG${s}`);
}

/**
 * An image's StopSignal in a form the runtime sends: a known name or number as written, and
 * docker's real-time names (`SIGRTMIN+3`, systemd's) as their number; undefined when it is
 * no signal docker would send either.
 */
export function sendableSignal(s: string): string | undefined {
  if (isKnownSignal(s)) return s;
  const rt = /^(?:SIG)?RT(MIN|MAX)(?:([+-])(\d+))?$/.exec(s);
  if (!rt) return undefined;
  const offset = rt[3] === undefined ? 0 : Number(rt[3]) * (rt[2] === '+' ? 1 : -1);
  const n = (rt[1] === 'MIN' ? RTMIN : RTMAX) + offset;
  return n >= RTMIN && n <= RTMAX ? String(n) : undefined;
}

/** Numbers of the signals a stop uses most (x86-64 and arm64 agree on these). */
const STOP_SIGNAL_NUMBERS: Record<string, string> = {
  '1': 'SIGHUP',
  '2': 'SIGINT',
  '3': 'SIGQUIT',
  '9': 'SIGKILL',
  '10': 'SIGUSR1',
  '12': 'SIGUSR2',
  '15': 'SIGTERM',
};

/** One form for comparing: `term`, `SIGTERM` and `15` are all `SIGTERM`; others as given, upper-cased. */
export function signalKey(s: string): string {
  const up = s.toUpperCase();
  if (/^\d+$/.test(up)) return STOP_SIGNAL_NUMBERS[up] ?? up;
  return up.startsWith('SIG') ? up : `SIG${up}`;
}
