// external_links on the real kernel: a container of a second stack that joins the first
// one's network finds the first one's container by the link's alias in its /etc/hosts (and
// through the DNS); a third stack that shares no network with the target is refused at plan,
// naming the network to join, before anything starts.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  importTestImage,
  makeStackEnv,
  sleeperService as sleeper,
  stack,
  uniqueProject,
  type StackEnv,
} from '../support/stack-cli.js';
import { inside, lookup, ps } from '../support/stack-containers.js';

let env: StackEnv;
const first = uniqueProject('telfirst');
const second = uniqueProject('telsecond');
const third = uniqueProject('telthird');
const files: string[] = [];

function write(project: string, body: string): string {
  const file = path.join(env.root, `${project}.yaml`);
  fs.writeFileSync(file, `name: ${project}\nservices:\n${body}`);
  files.push(file);
  return file;
}

beforeAll(() => {
  env = makeStackEnv();
  importTestImage(env);
  env.env.STACK_DNS_UPSTREAM = '';
});

afterAll(() => {
  for (const f of files.reverse()) stack(env, ['-f', f, 'down', '-t', '0']);
  env?.dispose();
});

describe('external_links', () => {
  it("gives the linking container the target's address under the alias; sharing no network is a plan error", () => {
    const target = write(first, `  db:\n${sleeper('')}`);
    const up = stack(env, ['-f', target, 'up', '-d']);
    expect(up.code, up.stderr).toBe(0);
    const dbIp = ps(env, target)[0]!.addresses[0]!.ip;

    const linking = write(
      second,
      `  app:\n${sleeper(`    networks: [shared]\n    external_links: ["${first}-db-1:database"]\n`)}networks:\n  shared:\n    external: true\n    name: ${first}_default\n`,
    );
    const up2 = stack(env, ['-f', linking, 'up', '-d']);
    expect(up2.code, up2.stderr).toBe(0);
    const app = ps(env, linking)[0]!;
    expect(inside(app.pid, ['cat', '/etc/hosts']).stdout).toContain(`${dbIp}\tdatabase ${first}-db-1\n`);
    expect(lookup(app.pid, 'database')).toEqual([dbIp]);

    const apart = write(third, `  app:\n${sleeper(`    external_links: ["${first}-db-1:database"]\n`)}`);
    const refused = stack(env, ['-f', apart, 'up', '-d']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(
      `service app: external_links ${first}-db-1 (a container of stack ${first}) shares no network with it (${first}-db-1 is on ${first}_default); join one of its networks with \`external: true\``,
    );
    expect(ps(env, apart)).toEqual([]);
  });
});
