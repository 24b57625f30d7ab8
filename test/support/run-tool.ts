// Test helper: runs one host tool (ip, nft, nsenter) without a shell: arguments are passed as an argv
// array, so no name or address can ever be interpreted by a shell. Input that the tool
// reads in batch mode goes through stdin, which keeps one process per operation.

import { spawn } from 'node:child_process';

export class ToolError extends Error {
  readonly tool: string;
  readonly args: string[];
  /** Exit code, or null when the tool could not be started or was killed by a signal. */
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(tool: string, args: string[], exitCode: number | null, stderr: string, cause?: unknown) {
    const how = exitCode === null ? 'failed to run' : `exited with ${exitCode}`;
    super(
      `${tool} ${args.join(' ')} ${how}: ${stderr.trim() || '(no stderr)'}`,
      cause === undefined ? undefined : { cause },
    );
    this.name = 'ToolError';
    this.tool = tool;
    this.args = args;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** Runs `cmd args…`, feeds it `stdin` if given, resolves with stdout; rejects with ToolError. */
export function runTool(cmd: string, args: string[], stdin?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    // A clean, predictable locale keeps tool messages stable for users searching them.
    const child = spawn(cmd, args, {
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout!.on('data', (b: Buffer) => out.push(b));
    child.stderr!.on('data', (b: Buffer) => err.push(b));
    let spawnError: Error | undefined;
    child.on('error', (e) => {
      spawnError = e;
    });
    child.on('close', (code) => {
      const stderr = Buffer.concat(err).toString('utf8');
      if (spawnError) reject(new ToolError(cmd, args, null, spawnError.message, spawnError));
      else if (code !== 0) reject(new ToolError(cmd, args, code, stderr));
      else resolve(Buffer.concat(out).toString('utf8'));
    });
    if (stdin !== undefined && child.stdin) {
      // The tool may exit before reading all input (e.g. a parse error): ignore EPIPE here,
      // the exit code and stderr carry the real failure.
      child.stdin.on('error', () => {});
      child.stdin.end(stdin);
    }
  });
}
