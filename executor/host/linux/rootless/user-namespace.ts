// Whether this process runs in a user namespace other than the host's: rootless mode, where
// `stack` re-executed itself as "root" inside the user's namespaces (enter-namespace.ts).
// The answer comes from the kernel (/proc/self/uid_map), never from an environment
// variable: a real root that set one must not lose any of its protections, and a user in a
// namespace cannot claim the host's root by leaving one out.

import { readFileSync } from 'node:fs';
import { isInitialUidMap } from '../../../../model/user-namespaces.js';

let answer: boolean | undefined;

/** True in a user namespace of the user's (rootless), false on the host itself. */
export function inUserNamespace(): boolean {
  answer ??= !isInitialUidMap(readFileSync('/proc/self/uid_map', 'utf8'));
  return answer;
}
