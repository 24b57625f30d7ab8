// The two ways to carry one query to an upstream server. A channel only moves bytes and
// reports what went wrong; matching the answer and the deadline are ask-upstream.ts's.

import dgram from 'node:dgram';
import net from 'node:net';
import { FrameReader, frame } from './tcp-framing.js';
import type { UpstreamFailure } from './upstream-error.js';
import type { Transport, Upstream } from './upstream.js';

export interface Channel {
  send(query: Buffer): void;
  close(): void;
}

export interface ChannelEvents {
  /** Each whole message that arrives (there may be strays: the caller checks the id). */
  message(msg: Buffer): void;
  /** The channel cannot deliver an answer any more. */
  failure(reason: UpstreamFailure, detail?: string): void;
}

export function openChannel(transport: Transport, u: Upstream, on: ChannelEvents): Channel {
  return transport === 'tcp' ? openTcp(u, on) : openUdp(u, on);
}

function openUdp(u: Upstream, on: ChannelEvents): Channel {
  const sock = dgram.createSocket('udp4');
  sock.on('message', (msg) => on.message(msg));
  sock.on('error', (e) => on.failure('error', e.message));
  return {
    send: (query) => sock.send(query, u.port, u.ip),
    close: () => {
      try {
        sock.close();
      } catch {
        // Already closed by a failure of the socket itself.
      }
    },
  };
}

/** One connection per query: simple, and enough for the rare query that needs TCP. */
function openTcp(u: Upstream, on: ChannelEvents): Channel {
  const conn = net.connect({ host: u.ip, port: u.port });
  const frames = new FrameReader();
  conn.on('data', (chunk) => frames.push(chunk).forEach((msg) => on.message(msg)));
  conn.on('error', (e: NodeJS.ErrnoException) =>
    on.failure(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.code ?? e.message),
  );
  // Also after 'error', and after our own close: the caller heeds only the first word.
  conn.on('close', () => on.failure('closed'));
  return {
    // Written before the connection is up: net keeps it until then.
    send: (query) => void conn.write(frame(query)),
    close: () => void conn.destroy(),
  };
}
