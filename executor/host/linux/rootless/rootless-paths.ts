// Where rootless mode keeps its own bookkeeping: $STACK_RUN/rootless (0700, the user's).

import path from 'node:path';
import { stackRun } from '../../../../store/paths.js';

export const rootlessDir = () => path.join(stackRun(), 'rootless');
/** slirp4netns's API socket: the published ports are added and removed through it (pasta has none). */
export const slirpApiSocket = () => path.join(rootlessDir(), 'slirp.sock');
/** The holder's record (namespace-holder.ts): the namespaces are made and their connector runs. */
export const holderRecordFile = () => path.join(rootlessDir(), 'holder.json');
/** Each nftables table's published ports on the host side (port-forwards.ts). */
export const portsDir = () => path.join(rootlessDir(), 'ports');
