// compose's `--pull always|missing|never|build` (and `policy`, its default: each service's
// own pull_policy): the policy given replaces every service's for this command. Not part of
// a container's configuration hash (model/hash.ts), so it changes what is pulled, never
// what is recreated.

import type { PullPolicy, Stack } from '../model/types.js';
import { UsageError } from './usage-error.js';

const POLICIES = ['always', 'missing', 'never', 'build', 'policy'];

export function withPullFlag(stack: Stack, flag: string | undefined): Stack {
  if (flag === undefined || flag === 'policy') return stack;
  if (!POLICIES.includes(flag)) throw new UsageError(`--pull takes ${POLICIES.join(', ')}, not "${flag}"`);
  return { ...stack, services: stack.services.map((s) => ({ ...s, pullPolicy: flag as PullPolicy })) };
}
