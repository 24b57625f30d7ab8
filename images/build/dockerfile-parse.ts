// A Dockerfile's text → its stages of typed instructions, with every problem at once as
// `Dockerfile:line:col: message`. Three stages: logical lines (dockerfile-lines.ts), raw
// instructions with flags (dockerfile-instructions.ts), and their meaning
// (dockerfile-instruction.ts); here they are put in order and grouped into stages.

import { sortDiagnostics, type Diagnostic } from '../../model/diagnostics.js';
import { dockerfileLines, type LogicalLine } from './dockerfile-lines.js';
import { rawInstruction, type SourcePos } from './dockerfile-instructions.js';
import { NOT_IN_ONBUILD, toInstruction, type Report } from './dockerfile-instruction.js';
import type { Dockerfile, Instruction, Stage } from './dockerfile-types.js';

export function parseDockerfile(file: string, text: string): Dockerfile {
  const source = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const read = dockerfileLines(file, text);
  const diagnostics: Diagnostic[] = [...read.diagnostics];
  const report: Report = (pos, message) =>
    diagnostics.push({ file, line: pos.line, col: pos.col, message, sourceLine: source[pos.line - 1] });

  const globalArgs: Dockerfile['globalArgs'] = [];
  const stages: Stage[] = [];
  for (const line of read.lines) {
    const instruction = readInstruction(line, read.escape, report);
    if (!instruction) continue;
    if (instruction.kind === 'FROM') {
      if (instruction.stageName && stages.some((s) => s.name === instruction.stageName)) {
        report(
          instruction,
          `stage name ${instruction.stageName} is used by an earlier stage; stage names must be unique`,
        );
      }
      stages.push({
        index: stages.length,
        name: instruction.stageName,
        base: instruction.image,
        platform: instruction.platform,
        line: instruction.line,
        col: instruction.col,
        instructions: [],
      });
    } else if (stages.length > 0) stages[stages.length - 1].instructions.push(instruction);
    else if (instruction.kind === 'ARG') globalArgs.push(...instruction.args);
    else
      report(
        instruction,
        `${instruction.kind} comes before the first FROM; a Dockerfile starts with FROM (only ARG may come before it)`,
      );
  }
  if (stages.length === 0 && diagnostics.length === 0)
    report({ line: 1, col: 1 }, 'the Dockerfile has no FROM instruction');
  return {
    file,
    escape: read.escape,
    syntax: read.syntax,
    globalArgs,
    stages,
    diagnostics: sortDiagnostics(diagnostics),
  };
}

function readInstruction(line: LogicalLine, escape: string, report: Report): Instruction | undefined {
  const raw = rawInstruction(line);
  if (raw.keyword !== 'ONBUILD') return toInstruction(raw, escape, report);
  // ONBUILD's argument is an instruction of its own, kept as text for the image config.
  const offset = raw.argsIndex;
  const inner: LogicalLine = {
    text: raw.args,
    lines: line.lines.slice(offset),
    cols: line.cols.slice(offset),
    heredocs: line.heredocs,
  };
  const at: SourcePos = { line: raw.line, col: raw.col };
  if (!raw.args) return void report(at, 'ONBUILD needs an instruction: ONBUILD INSTRUCTION ARGS');
  const triggerRaw = rawInstruction(inner);
  if (NOT_IN_ONBUILD.has(triggerRaw.keyword))
    return void report(triggerRaw, `ONBUILD ${triggerRaw.keyword} is not allowed`);
  const trigger = toInstruction(triggerRaw, escape, report);
  return trigger && { kind: 'ONBUILD', ...at, trigger, text: raw.args };
}
