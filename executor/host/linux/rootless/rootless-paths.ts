// Where rootless mode keeps its own bookkeeping: $STACK_RUN/rootless (0700, the user's).

import path from 'node:path';
import { stackRun } from '../../../../store/paths.js';

export const rootlessDir = () => path.join(stackRun(), 'rootless');
/** slirp4netns's API socket: the published ports are added and removed through it. */
export const slirpApiSocket = () => path.join(rootlessDir(), 'slirp.sock');
