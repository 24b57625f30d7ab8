// An error the supervisor answered a request with. A module of its own: the error renderer
// (cli/errors.ts) checks for it after any failure, and client.ts would bring the client's
// sockets and the supervisor's launch into every command that fails.

import type { WireError } from './protocol.js';

export class SupervisorError extends Error {
  readonly wire: WireError;
  constructor(wire: WireError) {
    super(wire.message);
    this.name = wire.name;
    this.wire = wire;
  }
}
