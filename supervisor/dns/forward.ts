// Relays a query the stack cannot answer to the upstream servers, in order, until one
// answers. The query goes the way it came: a TCP query over TCP (it is usually the retry of
// a UDP answer that came back truncated, so UDP would only truncate it again), a UDP query
// over UDP. A UDP answer with the TC bit set is an answer like any other: it reaches the
// client unchanged, and the client retries over TCP itself, as with any resolver.

import { askUpstream } from './ask-upstream.js';
import { NoUpstreamAnswerError, UpstreamError } from './upstream-error.js';
import type { Transport, Upstream } from './upstream.js';

/** Per upstream tried: below the 5 s a client waits by default (resolv.conf `timeout`). */
export const UPSTREAM_TIMEOUT_MS = 2000;

/** The first answer of an upstream; NoUpstreamAnswerError when none answers. */
export async function forward(
  query: Buffer,
  upstreams: readonly Upstream[],
  transport: Transport,
  timeoutMs = UPSTREAM_TIMEOUT_MS,
): Promise<Buffer> {
  const failures: UpstreamError[] = [];
  for (const u of upstreams) {
    try {
      return await askUpstream(query, u, transport, timeoutMs);
    } catch (e) {
      if (!(e instanceof UpstreamError)) throw e;
      failures.push(e);
    }
  }
  throw new NoUpstreamAnswerError(failures);
}
