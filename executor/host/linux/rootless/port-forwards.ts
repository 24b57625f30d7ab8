// Rootless published ports: the connector (connectors.ts) listens on the host's address and
// port (as the user, so what the user may bind) and hands each connection into the user's
// network namespace (slirp4netns on its tap0 address; pasta to the namespace's loopback for a
// client on the host's loopback, else tap0), where the stack's DNAT rules (nat-ruleset.ts)
// take it to the container as in rootful mode. Which forwards belong to which nftables table
// is kept in $STACK_RUN/rootless/ports/<table>.json, so an apply adds and removes only the
// difference and a table's removal takes its forwards with it. slirp4netns gets each change
// through its API socket, one JSON request per connection; pasta has no such socket: the
// command's outer half starts it again with the new set (namespace-holder.ts).

import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { PortRule } from '../../../../model/plan.js';
import { makePrivateDirSync } from '../../../../store/private-files.js';
import { portsDir, slirpApiSocket } from './rootless-paths.js';

interface Forward {
  id: number;
  protocol: 'tcp' | 'udp';
  hostIp: string;
  hostPort: number;
}

export class PortForwardError extends Error {
  constructor(message: string) {
    super(`rootless: ${message}`);
    this.name = 'PortForwardError';
  }
}

const tableFile = (table: string) => path.join(portsDir(), `${table}.json`);
const keyOf = (f: Pick<Forward, 'protocol' | 'hostIp' | 'hostPort'>) => `${f.protocol}/${f.hostIp}/${f.hostPort}`;

function readForwards(table: string): Forward[] {
  try {
    return JSON.parse(fs.readFileSync(tableFile(table), 'utf8')) as Forward[];
  } catch {
    return [];
  }
}

function writeForwards(table: string, forwards: Forward[]): void {
  makePrivateDirSync(portsDir());
  if (forwards.length === 0) fs.rmSync(tableFile(table), { force: true });
  else fs.writeFileSync(tableFile(table), JSON.stringify(forwards), { mode: 0o600 });
}

/** One request to slirp4netns's API: its `return`, or a PortForwardError with its `error`. */
function request(execute: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(slirpApiSocket());
    let answer = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.end(JSON.stringify({ execute, arguments: args })));
    socket.on('data', (chunk: string) => (answer += chunk));
    socket.on('error', (err) =>
      reject(new PortForwardError(`slirp4netns's API (${slirpApiSocket()}): ${err.message}`)),
    );
    socket.on('close', () => {
      try {
        const reply = JSON.parse(answer) as { return?: Record<string, unknown>; error?: { desc?: string } };
        if (reply.error) reject(new PortForwardError(`${execute}: ${reply.error.desc ?? JSON.stringify(reply.error)}`));
        else resolve(reply.return ?? {});
      } catch {
        reject(new PortForwardError(`${execute}: unreadable answer ${JSON.stringify(answer)}`));
      }
    });
  });
}

/** slirp4netns runs (pasta has no API socket): changes go to it as they are made. */
const slirpRuns = () => fs.existsSync(slirpApiSocket());

/** The host side of the table's published ports, made to match `ports` (pasta's: recorded, for the restart). */
export async function syncPortForwards(table: string, ports: PortRule[]): Promise<void> {
  const wanted = new Map(
    ports.map((r) => {
      const f = { protocol: r.protocol, hostIp: r.hostIp ?? '0.0.0.0', hostPort: r.hostPort };
      return [keyOf(f), f];
    }),
  );
  const kept: Forward[] = [];
  for (const f of readForwards(table)) {
    if (wanted.has(keyOf(f))) {
      kept.push(f);
      wanted.delete(keyOf(f));
    } else if (slirpRuns()) await request('remove_hostfwd', { id: f.id }).catch(() => {}); // gone with an earlier slirp4netns
  }
  await addForwards(table, [...wanted.values()], kept);
}

/** Adds `forwards` to slirp4netns, keeping each id (with `kept`) in the table's file, also when one fails. */
async function addForwards(table: string, forwards: Omit<Forward, 'id'>[], kept: Forward[] = []): Promise<void> {
  try {
    for (const f of forwards) {
      if (!slirpRuns()) {
        kept.push({ ...f, id: 0 });
        continue;
      }
      const made = await request('add_hostfwd', {
        proto: f.protocol,
        host_addr: f.hostIp,
        host_port: f.hostPort,
        guest_port: f.hostPort,
      }).catch((err: Error) => {
        throw new PortForwardError(`cannot publish ${shownForward(keyOf(f))} on the host: ${err.message}`);
      });
      kept.push({ protocol: f.protocol, hostIp: f.hostIp, hostPort: f.hostPort, id: Number(made.id) });
    }
  } finally {
    writeForwards(table, kept);
  }
}

export async function removePortForwards(table: string): Promise<void> {
  await syncPortForwards(table, []);
}

/** Every table's forwards, as the connector's keys (`tcp/127.0.0.1/8080`), sorted: what pasta is started with. */
export function wantedForwardKeys(): string[] {
  const files = fs.existsSync(portsDir()) ? fs.readdirSync(portsDir()).filter((f) => f.endsWith('.json')) : [];
  const keys = files.flatMap((file) => readForwards(file.slice(0, -'.json'.length)).map(keyOf));
  return [...new Set(keys)].sort();
}

/** Drops `keys` from every table's record: pasta could not bind them, and keeps the set it had. */
export function forgetForwards(keys: string[]): void {
  const files = fs.existsSync(portsDir()) ? fs.readdirSync(portsDir()).filter((f) => f.endsWith('.json')) : [];
  for (const file of files) {
    const table = file.slice(0, -'.json'.length);
    writeForwards(
      table,
      readForwards(table).filter((f) => !keys.includes(keyOf(f))),
    );
  }
}

/** `tcp/127.0.0.1/8080` as messages write it: `127.0.0.1:8080/tcp`. */
export const shownForward = (key: string) => {
  const [protocol, hostIp, port] = key.split('/');
  return `${hostIp}:${port}/${protocol}`;
};

/** A new slirp4netns holds no forwards: every table's published ports are added to it again. */
export async function restorePortForwards(): Promise<void> {
  const files = fs.existsSync(portsDir()) ? fs.readdirSync(portsDir()).filter((f) => f.endsWith('.json')) : [];
  for (const file of files) {
    const table = file.slice(0, -'.json'.length);
    const wanted = readForwards(table);
    writeForwards(table, []); // the old ids are the dead slirp4netns's
    await addForwards(table, wanted);
  }
}
