// The `.partial-PID-RANDOM` names of folders being made or taken away (images/partial-mark.ts):
// the one reading of them that the image GC, the layer unpacker and the shadow builder share.

import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';
import { isDeadPartial, partialName, partialWriterPid } from '../../images/partial-mark.js';

it('names a partial folder after its final name and this process, and reads the pid back', () => {
  const name = partialName('/store/layers/abc');
  expect(name).toMatch(new RegExp(`^/store/layers/abc\\.partial-${process.pid}-[0-9a-f]{8}$`));
  expect(partialName('x')).not.toBe(partialName('x'));
  expect(partialWriterPid(name)).toBe(process.pid);
  expect(partialWriterPid('abc-0123456789abcdef')).toBeUndefined();
});

it("judges a writer's folder dead only once its writer is gone", () => {
  const gone = spawnSync('true').pid!; // exited and reaped
  expect(isDeadPartial(partialName('abc'))).toBe(false);
  expect(isDeadPartial(`abc.partial-${gone}-0000aaaa`)).toBe(true);
  expect(isDeadPartial('abc-0000aaaa')).toBe(false); // no mark: not a partial folder at all
});

it('takes a mark that names no pid as a dead writer: process.kill(0) would call it alive forever', () => {
  for (const name of ['abc.partial-', 'abc.partial--0000aaaa', 'abc.partial-0-0000aaaa', 'abc.partial-x1-0000aaaa']) {
    expect(partialWriterPid(name)).toBeUndefined();
    expect(isDeadPartial(name)).toBe(true);
  }
});
