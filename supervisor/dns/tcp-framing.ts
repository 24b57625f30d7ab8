// DNS over TCP (RFC 1035 4.2.2, RFC 7766 8): every message carries its length as 2 bytes
// in front. A TCP stream splits and joins those messages at will, so the reader keeps what
// it has until a whole one has arrived. Used by the server's TCP listeners and by the
// forwarder's TCP client alike.

/** `msg` with its 2-byte length in front. */
export function frame(msg: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(msg.length);
  return Buffer.concat([len, msg]);
}

/** Cuts a byte stream into the messages it carries. */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** The messages completed by `chunk`, in order; a partial one waits for the next chunk. */
  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const messages: Buffer[] = [];
    while (this.buffered.length >= 2 && this.buffered.length >= 2 + this.buffered.readUInt16BE(0)) {
      const end = 2 + this.buffered.readUInt16BE(0);
      // A copy: the chunk's memory may be a slice of a larger pooled buffer.
      messages.push(Buffer.from(this.buffered.subarray(2, end)));
      this.buffered = this.buffered.subarray(end);
    }
    return messages;
  }
}
