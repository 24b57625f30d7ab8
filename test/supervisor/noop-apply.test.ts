// An apply whose plan has no operations (a no-op `up`) changes nothing on the host: it
// claims nothing, and answers without reloading the DNS or removing a claim it never wrote.
// An apply that does something still claims first and unclaims and reloads after.

import { describe, expect, it } from 'vitest';
import { FakeHost } from '../../executor/fake-host.js';
import type { Journal, JournalEntry } from '../../executor/journal.js';
import { loadStack } from '../../planner/load/load.js';
import { handleRequest } from '../../supervisor/handlers.js';
import type { Message } from '../../supervisor/protocol.js';

const stackOf = (text: string) => loadStack({ files: [{ path: 'stack.yaml', text }], projectDir: '/p', env: {} });

async function apply(host: FakeHost, text: string) {
  const sent: Message[] = [];
  const reloads: string[] = [];
  const entries: JournalEntry[] = [];
  const journal: Journal = { previous: () => [], append: (e) => void entries.push(e) };
  await handleRequest(
    { op: 'apply', stack: stackOf(text), options: {} },
    {
      project: 'p',
      host,
      send: (m) => void sent.push(m),
      journal: () => journal,
      dns: { reload: async () => void reloads.push('reload') },
    },
  );
  return { sent, reloads, entries };
}

describe('apply', () => {
  it('claims nothing and reloads nothing for a plan without operations, and still answers plan and done', async () => {
    const host = new FakeHost();
    const { sent, reloads, entries } = await apply(host, 'name: p\nservices: {}\n');
    expect(sent.map((m) => m.type)).toEqual(['plan', 'done']);
    expect(host.calls.filter((c) => c.startsWith('allocation.'))).toEqual([
      'allocation.lock p',
      'allocation.release p',
    ]);
    expect(reloads).toEqual([]);
    expect(entries.map((e) => e.t)).toEqual(['plan', 'end']);
  });

  it('claims before and unclaims and reloads the DNS after a plan that makes something', async () => {
    const host = new FakeHost();
    const { reloads } = await apply(host, 'name: p\nnetworks:\n  back: {}\nservices: {}\n');
    const allocation = host.calls.filter((c) => c.startsWith('allocation.'));
    expect(allocation[0]).toBe('allocation.lock p');
    expect(allocation.some((c) => c.startsWith('allocation.claim p'))).toBe(true);
    expect(allocation.at(-1)).toBe('allocation.unclaim p');
    expect(reloads).toEqual(['reload']);
  });
});
