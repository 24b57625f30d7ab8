// bind(2) and connect(2) cut a unix socket path longer than sun_path without a word: the
// supervisor then listened on a stray truncated name in STACK_RUN, and a client could reach
// another stack's socket with the same prefix. The loader refuses such project names up
// front; this guard stops any other way in.

import { byteLength, MAX_SOCKET_PATH_BYTES } from '../model/name-limits.js';

export class SocketPathTooLongError extends Error {
  constructor(socketPath: string) {
    super(
      `the supervisor's socket path ${socketPath} is longer than a unix socket path may be (${MAX_SOCKET_PATH_BYTES} bytes); use a shorter project name, or a shorter STACK_RUN`,
    );
    this.name = 'SocketPathTooLongError';
  }
}

export function checkSocketPath(socketPath: string): string {
  if (byteLength(socketPath) > MAX_SOCKET_PATH_BYTES) throw new SocketPathTooLongError(socketPath);
  return socketPath;
}
