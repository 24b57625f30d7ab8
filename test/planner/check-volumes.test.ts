// A volume of the file that already exists must match what the file says it is made from
// (driver, driver_opts, labels): reconcile refuses a changed one before planning anything.

import { describe, expect, it } from 'vitest';
import { volumeHash } from '../../model/hash.js';
import type { ObservedVolume } from '../../model/observed.js';
import { reconcile } from '../../planner/plan/reconcile.js';
import type { VolumeConfig } from '../../model/types.js';
import { planProblems } from './helpers.js';
import { load, observed } from './reconcile-fixtures.js';

const file = (volume: string) => `name: hello
services:
  web:
    image: stack.local/busybox:latest
    command: sleep 1000
    volumes: [data:/data, ext:/ext]
volumes:
  data: ${volume}
  ext: { external: true }
`;

const created = (config: VolumeConfig): ObservedVolume => ({
  name: 'hello_data',
  project: 'hello',
  anonymous: false,
  config,
  hash: volumeHash(config),
});
const local = (extra: Partial<VolumeConfig> = {}): VolumeConfig => ({
  driver: 'local',
  driverOpts: {},
  labels: {},
  ...extra,
});
const bound = { type: 'none', o: 'bind', device: '/srv/data' };
const ext: ObservedVolume = { name: 'ext', anonymous: false, config: local({ labels: { team: 'x' } }), hash: 'other' };

const problemsOf = (text: string, data?: ObservedVolume) =>
  planProblems(() => reconcile(load(text), observed({ volumes: [ext, ...(data ? [data] : [])] })));
const refusal = (what: string) =>
  `volume hello_data (volumes.data in the file) exists but does not match its configuration in the file (${what} changed); remove it with \`stack down -v\` or \`stack volume rm hello_data\` (its data is lost), or restore the previous configuration`;

describe('checkVolumes', () => {
  it('plans a volume made from what the file says, and one that does not exist yet', () => {
    expect(problemsOf(file('{ labels: { keep: "yes" } }'), created(local({ labels: { keep: 'yes' } })))).toEqual([]);
    expect(
      problemsOf(
        file(`{ driver_opts: { type: none, o: bind, device: /srv/data } }`),
        created(local({ driverOpts: bound })),
      ),
    ).toEqual([]);
    expect(problemsOf(file('{ labels: { keep: "yes" } }'))).toEqual([]);
  });

  it('refuses a volume whose labels, driver_opts or driver changed, naming it, what changed and the ways out', () => {
    expect(problemsOf(file('{ labels: { keep: "no" } }'), created(local({ labels: { keep: 'yes' } })))).toEqual([
      refusal('labels'),
    ]);
    expect(
      problemsOf(
        file('{ driver_opts: { type: none, o: bind, device: /srv/other } }'),
        created(local({ driverOpts: bound })),
      ),
    ).toEqual([refusal('driver_opts')]);
    expect(problemsOf(file('{ labels: { a: b } }'), created(local({ driver: 'old', driverOpts: bound })))).toEqual([
      refusal('driver, driver_opts, labels'),
    ]);
  });

  it('says "configuration" when the record has a hash but not what it was made from', () => {
    expect(problemsOf(file('{}'), { name: 'hello_data', anonymous: false, hash: 'f'.repeat(16) })).toEqual([
      refusal('configuration'),
    ]);
  });

  it('keeps volumes made before volumes had a hash, unless the file now asks for a host folder', () => {
    const legacy: ObservedVolume = { name: 'hello_data', project: 'hello', anonymous: false };
    expect(problemsOf(file('{ labels: { keep: "yes" } }'), legacy)).toEqual([]);
    expect(problemsOf(file('{ driver_opts: { type: none, o: bind, device: /srv/data } }'), legacy)).toEqual([
      "volume hello_data (volumes.data in the file) exists without a record of its configuration (made before stack kept one, when driver_opts were ignored, or by `stack volume create`), so its data is in stack's store, not in the host folder driver_opts name; copy out what you need and remove it with `stack down -v` or `stack volume rm hello_data` (its data is lost), or remove driver_opts",
    ]);
  });

  it('never compares an external volume: stack uses it as it is', () => {
    expect(problemsOf(file('{}'))).toEqual([]);
  });

  it('names a volume by its name alone when the file gives it its key as name', () => {
    const named = { ...created(local()), name: 'data' };
    expect(problemsOf(file('{ name: data, labels: { a: b } }'), named)).toEqual([
      expect.stringMatching(
        /^volume data exists but does not match its configuration in the file \(labels changed\); remove it with `stack down -v` or `stack volume rm data`/,
      ),
    ]);
  });
});
