// The two init stages the runtime tests run against: the native one (dist/stack-init, which
// `npm run build` compiles wherever gcc is, CI included) and the portable Node one. The
// choice is read at every spawn (executor/host/linux/native-init.ts), so a describe block
// sets it in its beforeAll. A missing native stage fails the tests instead of skipping them.

import { nativeInitPath } from '../../executor/host/linux/native-init.js';

export const INIT_STAGES = ['native', 'node'] as const;
export type InitStage = (typeof INIT_STAGES)[number];

export function useInitStage(stage: InitStage): void {
  if (stage === 'node') {
    process.env.STACK_INIT_STAGE = 'node';
    return;
  }
  delete process.env.STACK_INIT_STAGE;
  if (!nativeInitPath())
    throw new Error('dist/stack-init is missing: run npm run build on a host with gcc and libc6-dev');
}
