// The stack's DNS server, run by the supervisor in the host's network namespace on each of
// the stack's gateway addresses, port 53, UDP and TCP. Containers' resolv.conf names it
// (planner/plan/plan-endpoints.ts). Stack names are answered from a NameTable (all replicas,
// rotated per query: round robin); everything else is forwarded upstream unchanged.
//
// The table is rebuilt on every apply (reload) and, at most every RELOAD_MIN_MS, when a
// query comes from an address or asks a name it does not know: a container that starts
// during an `up` may look up a neighbour before that apply has finished.

import dgram from 'node:dgram';
import net from 'node:net';
import * as packet from 'dns-packet';
import { NameTable, type TableEntry } from './name-table.js';
import { forward, UPSTREAM_TIMEOUT_MS } from './forward.js';
import { FrameReader, frame } from './tcp-framing.js';
import { NoUpstreamAnswerError } from './upstream-error.js';
import { parseUpstream, type Transport, type Upstream } from './upstream.js';

const SERVFAIL = 2;
/** A DNS message over UDP without EDNS (which this server does not offer): RFC 1035 4.2.1. */
const UDP_LIMIT = 512;
const RELOAD_MIN_MS = 100;
/**
 * Short: a replica that goes away should soon leave clients' caches. A replaced container
 * is drained (planner/plan/plan-containers.ts DRAIN_MS) after the answers switch away from it,
 * and stays at least until every answer naming it has expired (`forgotten`).
 */
export const ANSWER_TTL_SECONDS = 1;
/** Past the TTL: a client connects a moment after its answer arrived. */
const CACHED_ANSWER_SLACK_MS = 250;

export interface DnsServerOptions {
  /** The records to answer from and the gateway addresses to listen on. */
  load(): Promise<{ entries: TableEntry[]; gateways: string[] }>;
  upstreams: () => Upstream[];
  log: (line: string) => void;
  /** 53 unless a test says otherwise. */
  port?: number;
  /** How long each upstream has to answer; tests shorten it. */
  upstreamTimeoutMs?: number;
}

interface Listener {
  udp: dgram.Socket;
  tcp: net.Server;
}

export class DnsServer {
  private table = new NameTable([]);
  private readonly listeners = new Map<string, Listener>();
  private readonly turns = new Map<string, number>();
  /** The latest load, running or done. */
  private last: Promise<void> = Promise.resolve();
  /** A load waiting for the running one to end. */
  private queued: Promise<void> | undefined;
  private loadedAt = 0;
  /** Address → when an answer last named it (ms): clients may use it until the TTL is over. */
  private readonly answeredAt = new Map<string, number>();

  constructor(private readonly opts: DnsServerOptions) {}

  /**
   * Rebuilds the table and listens on exactly the current gateways. A call while a load is
   * under way gets a load that starts after it (and is shared by the calls that wait):
   * the running one may have read the records before the caller's change.
   */
  reload(): Promise<void> {
    this.queued ??= this.last
      .catch(() => {})
      .then(() => {
        this.queued = undefined;
        return this.load();
      });
    this.last = this.queued;
    return this.queued;
  }

  /**
   * Resolves once no client can still hold an answer of this server that names one of
   * `addresses`: at once if none did, else when the last such answer's TTL is over.
   */
  async forgotten(addresses: readonly string[]): Promise<void> {
    const until =
      Math.max(0, ...addresses.map((ip) => this.answeredAt.get(ip) ?? 0)) +
      ANSWER_TTL_SECONDS * 1000 +
      CACHED_ANSWER_SLACK_MS;
    const wait = until - Date.now();
    if (wait > 0 && addresses.some((ip) => this.answeredAt.has(ip))) await new Promise((r) => setTimeout(r, wait));
  }

  async close(): Promise<void> {
    await Promise.all([...this.listeners.keys()].map((gw) => this.stopListening(gw)));
  }

  /**
   * The reply to one query from `source` that came over `transport`; undefined for
   * something that is no query.
   */
  async answer(query: Buffer, source: string, transport: Transport = 'udp'): Promise<Buffer | undefined> {
    let q: packet.DecodedPacket;
    try {
      q = packet.decode(query);
    } catch {
      return undefined;
    }
    const question = q.questions?.[0];
    if (q.type !== 'query' || !question) return undefined;
    let ips = this.stackName(source, question);
    if (ips === undefined && Date.now() - this.loadedAt >= RELOAD_MIN_MS) {
      await this.reload();
      ips = this.stackName(source, question);
    }
    if (ips !== undefined) return this.reply(q, question, ips, 0, transport === 'udp' ? UDP_LIMIT : undefined);
    const own = this.table.upstreamsOf(source)?.flatMap((s) => [parseUpstream(s)].filter((u): u is Upstream => !!u));
    try {
      return await forward(
        query,
        own && own.length > 0 ? own : this.opts.upstreams(),
        transport,
        this.opts.upstreamTimeoutMs ?? UPSTREAM_TIMEOUT_MS,
      );
    } catch (e) {
      if (!(e instanceof NoUpstreamAnswerError)) throw e;
      return this.reply(q, question, [], SERVFAIL);
    }
  }

  private stackName(source: string, question: packet.Question): string[] | undefined {
    if (question.class !== undefined && question.class !== 'IN') return undefined;
    return this.table.lookup(source, question.name);
  }

  /**
   * The answer to `question`: `ips` rotated, at most `limit` bytes long (UDP) by leaving out
   * the addresses that do not fit and setting TC, so the client asks again over TCP and
   * gets them all (a service with some 30 replicas or more).
   */
  private reply(q: packet.DecodedPacket, question: packet.Question, ips: string[], rcode = 0, limit?: number): Buffer {
    const key = question.name.toLowerCase();
    const turn = this.turns.get(key) ?? 0;
    // Only A queries turn the wheel: resolvers ask A and AAAA in pairs.
    if (question.type === 'A') this.turns.set(key, turn + 1);
    // A name answers A with its IPv4 addresses and AAAA with its IPv6 ones (networks with
    // IPv6); other types, and AAAA of a name without IPv6, get an empty NOERROR answer, so
    // resolvers do not go on to ask the upstream servers for it.
    const any = question.type === ('ANY' as packet.RecordType);
    const wanted = ips.filter((ip) =>
      ip.includes(':') ? any || question.type === 'AAAA' : any || question.type === 'A',
    );
    const rotated = wanted.map((_, i) => wanted[(i + turn) % wanted.length]!);
    const answers: packet.Answer[] = rotated.map((ip) => ({
      type: ip.includes(':') ? 'AAAA' : 'A',
      class: 'IN',
      name: question.name,
      ttl: ANSWER_TTL_SECONDS,
      data: ip,
    }));
    const flags =
      packet.AUTHORITATIVE_ANSWER | packet.RECURSION_AVAILABLE | ((q.flags ?? 0) & packet.RECURSION_DESIRED) | rcode;
    const encode = (list: packet.Answer[], truncated: boolean) =>
      packet.encode({
        type: 'response',
        id: q.id ?? 0,
        flags: flags | (truncated ? packet.TRUNCATED_RESPONSE : 0),
        questions: [question],
        answers: list,
      });
    let reply = encode(answers, false);
    let kept = answers.length;
    for (; limit !== undefined && reply.length > limit && kept > 0; kept--)
      reply = encode(answers.slice(0, kept - 1), true);
    const now = Date.now();
    for (const ip of answers.length > 0 ? rotated.slice(0, kept) : []) this.answeredAt.set(ip, now);
    return reply;
  }

  private async load(): Promise<void> {
    const { entries, gateways } = await this.opts.load();
    this.table = new NameTable(entries);
    this.loadedAt = Date.now();
    // Answers that expired long ago need no memory (the map would grow with every address).
    for (const [ip, at] of this.answeredAt)
      if (at + ANSWER_TTL_SECONDS * 1000 + CACHED_ANSWER_SLACK_MS < this.loadedAt) this.answeredAt.delete(ip);
    const wanted = new Set(gateways);
    await Promise.all([...this.listeners.keys()].filter((gw) => !wanted.has(gw)).map((gw) => this.stopListening(gw)));
    await Promise.all([...wanted].filter((gw) => !this.listeners.has(gw)).map((gw) => this.listen(gw)));
  }

  private async listen(gateway: string): Promise<void> {
    const port = this.opts.port ?? 53;
    const udp = dgram.createSocket({ type: 'udp4' });
    udp.on('message', (msg, rinfo) =>
      this.respond(msg, rinfo.address, 'udp', (reply) => udp.send(reply, rinfo.port, rinfo.address)),
    );
    const tcp = net.createServer((conn) => this.serveTcp(conn));
    try {
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind({ address: gateway, port, exclusive: true }, () => resolve());
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: gateway, port, exclusive: true }, () => resolve());
      });
    } catch (e) {
      // The gateway address may be gone (a failed network create); the next reload retries.
      udp.close();
      tcp.close();
      this.opts.log(`dns: cannot listen on ${gateway}:${port}: ${(e as Error).message}`);
      return;
    }
    udp.on('error', (e) => this.opts.log(`dns: ${gateway}: ${e.message}`));
    this.listeners.set(gateway, { udp, tcp });
  }

  private async stopListening(gateway: string): Promise<void> {
    const l = this.listeners.get(gateway);
    if (!l) return;
    this.listeners.delete(gateway);
    await Promise.all([
      new Promise<void>((r) => l.udp.close(() => r())),
      new Promise<void>((r) => l.tcp.close(() => r())),
    ]);
  }

  /** DNS over TCP: each message carries a 2-byte length in front (tcp-framing.ts). */
  private serveTcp(conn: net.Socket): void {
    const frames = new FrameReader();
    const source = conn.remoteAddress?.replace(/^::ffff:/, '') ?? '';
    conn.on('error', () => {});
    conn.setTimeout(10_000, () => conn.destroy());
    conn.on('data', (chunk) => {
      for (const msg of frames.push(chunk)) {
        this.respond(msg, source, 'tcp', (reply) => {
          if (!conn.destroyed) conn.write(frame(reply));
        });
      }
    });
  }

  /**
   * Answers one message and hands the reply to `send`. A failure nobody expects (the
   * records cannot be read for a reload, say) is logged: an unhandled rejection here would
   * end the supervisor, and with it every container's restart policy and health checks.
   */
  private respond(msg: Buffer, source: string, transport: Transport, send: (reply: Buffer) => void): void {
    this.answer(msg, source, transport).then(
      (reply) => reply && send(reply),
      (e: unknown) =>
        this.opts.log(`dns: no answer to a query from ${source}: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
}
