// The ip_forward bookkeeping against a plain file standing in for the sysctl: the real
// setting is host-wide and other work on this machine relies on it, so it is never
// toggled by a test.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  acquireIpForward,
  releaseIfHeld,
  releaseIpForward,
  type IpForwardPlaces,
} from '../../executor/host/linux/ip-forward.js';

let dir = '';
function places(initial: string): IpForwardPlaces {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stk-ipfwd-'));
  fs.writeFileSync(path.join(dir, 'ip_forward'), `${initial}\n`);
  return { sysctl: path.join(dir, 'ip_forward'), dir: path.join(dir, 'state') };
}
const value = (p: IpForwardPlaces) => fs.readFileSync(p.sysctl, 'utf8').trim();

afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('ip_forward bookkeeping', () => {
  it('turns forwarding on for the first stack and restores 0 after the last one', async () => {
    const p = places('0');
    await acquireIpForward('a', p);
    expect(value(p)).toBe('1');
    await acquireIpForward('b', p);
    await acquireIpForward('a', p); // a re-apply of the same stack counts once
    await releaseIpForward('a', p);
    expect(value(p)).toBe('1');
    await releaseIpForward('b', p);
    expect(value(p)).toBe('0');
    expect(fs.readdirSync(p.dir)).toEqual([]);
  });

  it('releaseIfHeld puts back the value only for a user that took it (a stack that drops its last IPv6 network)', async () => {
    const p = places('0');
    await releaseIfHeld('never', p);
    expect(fs.existsSync(p.dir)).toBe(false);
    await acquireIpForward('six', p);
    await releaseIfHeld('six', p);
    expect(value(p)).toBe('0');
  });

  it('a re-apply puts back forwarding or a registration removed behind its back', async () => {
    const p = places('0');
    await acquireIpForward('a', p);
    fs.writeFileSync(p.sysctl, '0\n');
    await acquireIpForward('a', p);
    expect(value(p)).toBe('1');
    fs.rmSync(path.join(p.dir, 'user-a'));
    await acquireIpForward('a', p);
    expect(fs.readdirSync(p.dir).sort()).toEqual(['original', 'user-a']);
    await releaseIpForward('a', p);
    expect(value(p)).toBe('0');
  });

  it('leaves forwarding on when it was on before any stack', async () => {
    const p = places('1');
    await acquireIpForward('a', p);
    await releaseIpForward('a', p);
    expect(value(p)).toBe('1');
  });

  it('a release without an acquire changes nothing', async () => {
    const p = places('0');
    await releaseIpForward('never', p);
    expect(value(p)).toBe('0');
  });

  it('concurrent stacks: the value found before the first one is what comes back', async () => {
    const p = places('0');
    await Promise.all(['a', 'b', 'c'].map((u) => acquireIpForward(u, p)));
    expect(value(p)).toBe('1');
    await Promise.all(['a', 'b'].map((u) => releaseIpForward(u, p)));
    expect(value(p)).toBe('1');
    await releaseIpForward('c', p);
    expect(value(p)).toBe('0');
  });
});
