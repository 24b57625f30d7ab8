// One query to one upstream, over the transport the client used: the upstream's answer,
// or an UpstreamError once the channel fails or the deadline passes. Never both, never
// neither: the DNS server answers SERVFAIL on the error instead of leaving the client hanging.

import { openChannel, type Channel } from './upstream-channel.js';
import { UpstreamError, type UpstreamFailure } from './upstream-error.js';
import type { Transport, Upstream } from './upstream.js';

export function askUpstream(query: Buffer, u: Upstream, transport: Transport, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const id = query.readUInt16BE(0);
    let channel: Channel | undefined;
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      channel?.close();
      outcome();
    };
    const timer = setTimeout(
      () => settle(() => reject(new UpstreamError(u, transport, 'timeout', `${timeoutMs} ms`))),
      timeoutMs,
    );
    channel = openChannel(transport, u, {
      // Only a reply to this query (same id) counts: a late answer to an earlier one does not.
      message: (msg) => {
        if (msg.length >= 2 && msg.readUInt16BE(0) === id) settle(() => resolve(msg));
      },
      failure: (reason: UpstreamFailure, detail?: string) =>
        settle(() => reject(new UpstreamError(u, transport, reason, detail))),
    });
    channel.send(query);
  });
}
