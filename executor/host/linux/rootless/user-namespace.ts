// Whether this process runs in a user namespace other than the host's: rootless mode, where
// `stack` re-executed itself as "root" inside the user's namespaces (enter-namespace.ts).
// The answer comes from the kernel (/proc/self/uid_map), never from an environment
// variable: a real root that set one must not lose any of its protections, and a user in a
// namespace cannot claim the host's root by leaving one out.

import { readFileSync } from 'node:fs';

/** The initial user namespace maps every id onto itself: one line `0 0 4294967295`. */
export function isInitialUidMap(text: string): boolean {
  const lines = text.trim().split('\n');
  return lines.length === 1 && lines[0]!.trim().split(/\s+/).join(' ') === '0 0 4294967295';
}

let answer: boolean | undefined;

/** True in a user namespace of the user's (rootless), false on the host itself. */
export function inUserNamespace(): boolean {
  answer ??= !isInitialUidMap(readFileSync('/proc/self/uid_map', 'utf8'));
  return answer;
}
