// closeInheritedFds (inherited-fds.ts) asking fcntl about each fd instead of reading
// /proc/self/fdinfo: for a process that binds libc anyway, the one-shot `stack run`, whose
// container's namespaces need it (~0.5 ms less for Node's ~20 fds). Other commands keep the
// /proc reads, which need no koffi.

import { closeInheritedFds } from './inherited-fds.js';
import { isCloseOnExecFd } from './libc.js';

export const closeInheritedFdsByFcntl = (): number[] => closeInheritedFds(isCloseOnExecFd);
