// The cgroup v2 device filter: an eBPF program of type BPF_PROG_TYPE_CGROUP_DEVICE that the
// kernel runs for every open or mknod of a device node by a process of the group, answering
// 1 (allow) or 0 (EPERM). It is the allow list of device-rules.ts, checked in order, as
// runc and crun build theirs. Pure: bytes out; bpf.ts loads and attaches them.
//
// The program's context (struct bpf_cgroup_dev_ctx) is three u32s: access_type (the access
// in its high 16 bits: mknod 1, read 2, write 4; the node type in its low 16 bits: block 1,
// char 2), major, minor.

import type { DeviceRule } from './device-rules.js';

const TYPE_CODE = { b: 1, c: 2 } as const;
const ACCESS_BIT = { m: 1, r: 2, w: 4 } as const;

// Instruction opcodes used (linux/bpf.h): class | size/op | source.
const LDX_MEM_W = 0x61; // dst = *(u32 *)(src + off)
const ALU32_AND_K = 0x54; // dst &= imm (32-bit)
const ALU32_RSH_K = 0x74; // dst >>= imm (32-bit)
const ALU32_MOV_X = 0xbc; // dst = src (32-bit)
const ALU64_MOV_K = 0xb7; // dst = imm
const JMP_JNE_K = 0x55; // if dst != imm: pc += off
const JMP_EXIT = 0x95;

const R0 = 0,
  R1 = 1,
  R2 = 2,
  R3 = 3,
  R4 = 4,
  R5 = 5;

interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}
const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({ code, dst, src, off, imm });

/** The instructions of one rule: on a match return 1, otherwise fall through to the next rule. */
function ruleBlock(rule: DeviceRule): Insn[] {
  // Each test ends in the jump that skips the `rest` of the block when the rule does not match.
  const tests: ((rest: number) => Insn[])[] = [];
  if (rule.type !== 'a') tests.push((rest) => [insn(JMP_JNE_K, R2, 0, rest, TYPE_CODE[rule.type as 'b' | 'c'])]);
  const allowed = [...rule.access].reduce((bits, a) => bits | ACCESS_BIT[a as keyof typeof ACCESS_BIT], 0);
  if (allowed !== 7) {
    // An access asking for anything outside the rule's bits does not match it.
    tests.push((rest) => [
      insn(ALU32_MOV_X, R1, R3, 0, 0),
      insn(ALU32_AND_K, R1, 0, 0, ~allowed & 7),
      insn(JMP_JNE_K, R1, 0, rest, 0),
    ]);
  }
  if (rule.major !== undefined) tests.push((rest) => [insn(JMP_JNE_K, R4, 0, rest, rule.major!)]);
  if (rule.minor !== undefined) tests.push((rest) => [insn(JMP_JNE_K, R5, 0, rest, rule.minor!)]);
  const accept = [insn(ALU64_MOV_K, R0, 0, 0, 1), insn(JMP_EXIT, 0, 0, 0, 0)];
  // Built from the end, so each test knows how far the rest of the block reaches.
  let block = accept;
  for (const test of tests.reverse()) block = [...test(block.length), ...block];
  return block;
}

/** The program's bytecode (struct bpf_insn[], little-endian) for the allow list `rules`. */
export function deviceProgram(rules: DeviceRule[]): Buffer {
  const prologue = [
    insn(LDX_MEM_W, R2, R1, 0, 0),
    insn(ALU32_AND_K, R2, 0, 0, 0xffff), // node type
    insn(LDX_MEM_W, R3, R1, 0, 0),
    insn(ALU32_RSH_K, R3, 0, 0, 16), // access
    insn(LDX_MEM_W, R4, R1, 4, 0), // major
    insn(LDX_MEM_W, R5, R1, 8, 0), // minor
  ];
  const deny = [insn(ALU64_MOV_K, R0, 0, 0, 0), insn(JMP_EXIT, 0, 0, 0, 0)];
  const all = [...prologue, ...rules.flatMap(ruleBlock), ...deny];
  const buf = Buffer.alloc(all.length * 8);
  all.forEach((i, n) => {
    buf.writeUInt8(i.code, n * 8);
    buf.writeUInt8((i.src << 4) | i.dst, n * 8 + 1);
    buf.writeInt16LE(i.off, n * 8 + 2);
    buf.writeInt32LE(i.imm, n * 8 + 4);
  });
  return buf;
}
