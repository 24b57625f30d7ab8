// Which host veths a build step's removal deletes itself (executor/build-step-runner.ts): none
// once the step has exited, as the kernel deletes the pair with the step's network namespace;
// every one otherwise, since a step that never exited may have a veth no namespace takes.
import { describe, expect, it } from 'vitest';
import { stepVethsToDelete } from '../../executor/build-step-runner.js';
import type { ContainerSpec } from '../../model/plan.js';

const spec = { endpoints: [{ hostVeth: 'stkvstep0' }] } as unknown as ContainerSpec;

describe('stepVethsToDelete', () => {
  it('leaves the veth of an exited step to its namespace', () => {
    expect(stepVethsToDelete(spec, true)).toEqual([]);
  });

  it('deletes the veth of a step that did not exit (a failed start)', () => {
    expect(stepVethsToDelete(spec, false)).toEqual(['stkvstep0']);
  });
});
