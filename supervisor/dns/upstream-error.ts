// Why the forwarder got no answer. The DNS server turns either error into a SERVFAIL
// answer: a client must never wait on an upstream that is down, refuses or stays silent.

import type { Transport, Upstream } from './upstream.js';

/** timeout: no answer in time; refused: no TCP listener; closed: it hung up before answering. */
export type UpstreamFailure = 'timeout' | 'refused' | 'closed' | 'error';

/** One upstream did not answer one query. */
export class UpstreamError extends Error {
  constructor(
    readonly upstream: Upstream,
    readonly transport: Transport,
    readonly reason: UpstreamFailure,
    detail?: string,
  ) {
    super(`dns upstream ${upstream.ip}:${upstream.port} (${transport}): ${reason}${detail ? ` (${detail})` : ''}`);
    this.name = 'UpstreamError';
  }
}

/** No upstream answered: one failure per upstream tried, in order (none when there were none). */
export class NoUpstreamAnswerError extends Error {
  constructor(readonly failures: readonly UpstreamError[]) {
    super(failures.length === 0 ? 'no dns upstream to ask' : failures.map((f) => f.message).join('; '));
    this.name = 'NoUpstreamAnswerError';
  }
}
