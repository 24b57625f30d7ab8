// libnftables through koffi: the same parser and transaction code as the `nft` tool, without
// a process per change (~1 ms instead of ~16 ms for a stack's table). One context per
// process for the host's tables, created on first use and reused. (A container's own small
// table, the fixed resolver's, goes in as a raw netlink batch instead: fixed-resolver.ts.)
//
// Why the calls look the way they do:
// - nft_ctx_new opens its netlink socket at once, in the network namespace of the calling
//   thread. It is created lazily on the main thread outside the namespace window (nothing
//   else runs synchronously in that window), so it always talks to the host's nftables.
// - A context is not thread-safe, and its output/error buffers are per context: every use
//   goes through one promise chain, and both buffers are read (which also rewinds them)
//   before the next command starts.
// - nft_run_cmd_from_buffer is synchronous and costs ~45 µs per rule (1000 rules ≈ 46 ms),
//   so it runs through koffi's async variant on a threadpool thread, off the event loop.
//   The socket already exists, so that thread's namespace does not matter.
// - That socket is opened without SOCK_CLOEXEC (libmnl's mnl_socket_open), so every child
//   would inherit it: a container's PID 1 then held a connection to the host's nftables
//   (with NET_ADMIN it lists and changes the host's tables; without, it can read replies
//   meant for us). Whatever fds the context opens are made close-on-exec at once.
// - It resolves any non-literal address with getaddrinfo; callers must only pass validated
//   literals (literals.ts). Listing never resolves: reverse DNS is an output flag we never set.

import { openFdTargets } from './inherited-fds.js';
import { setCloseOnExec } from './libc.js';
import { koffi } from './koffi.js';

export const LIBNFTABLES = 'libnftables.so.1';
const NFT_CTX_DEFAULT = 0;
const NFT_CTX_OUTPUT_JSON = 1 << 4;

/** A command libnftables rejected (nothing of it was applied), or the library is unusable. */
export class NftError extends Error {
  /** The command text given to libnftables ('' when the library could not be loaded). */
  readonly command: string;
  /** libnftables' own error text, with the offending line and a caret. */
  readonly detail: string;
  constructor(command: string, detail: string, cause?: unknown) {
    super(`nft: ${detail.trim() || 'failed without a message'}`, cause === undefined ? undefined : { cause });
    this.name = 'NftError';
    this.command = command;
    this.detail = detail;
  }
}

type Ctx = unknown; // an opaque `struct nft_ctx *`

export interface LibnftablesBindings {
  newContext(): Ctx;
  setOutputFlags(ctx: Ctx, flags: number): void;
  runAsync(ctx: Ctx, text: string, cb: (err: unknown, rc: number) => void): void;
  output(ctx: Ctx): string;
  errors(ctx: Ctx): string;
}

/** Loads the library and declares the few functions used; exported for the missing-library test. */
export function bindLibnftables(soname = LIBNFTABLES): LibnftablesBindings {
  let lib: ReturnType<typeof koffi.load>;
  try {
    lib = koffi.load(soname);
  } catch (e) {
    throw new NftError('', `${soname} not found: install nftables (apt-get install nftables)`, e);
  }
  // Unnamed: koffi's type names are global, and this may be bound more than once (tests).
  const ctxPtr = koffi.pointer(koffi.opaque());
  const f = {
    ctxNew: lib.func('nft_ctx_new', ctxPtr, ['uint32_t']),
    bufferOutput: lib.func('nft_ctx_buffer_output', 'int', [ctxPtr]),
    bufferError: lib.func('nft_ctx_buffer_error', 'int', [ctxPtr]),
    getOutput: lib.func('nft_ctx_get_output_buffer', 'const char *', [ctxPtr]),
    getError: lib.func('nft_ctx_get_error_buffer', 'const char *', [ctxPtr]),
    setFlags: lib.func('nft_ctx_output_set_flags', 'void', [ctxPtr, 'unsigned int']),
    run: lib.func('nft_run_cmd_from_buffer', 'int', [ctxPtr, 'const char *']),
  };
  return {
    newContext() {
      const before = openFdTargets();
      const ctx = f.ctxNew(NFT_CTX_DEFAULT);
      if (!ctx) throw new NftError('', 'nft_ctx_new failed (cannot open a netlink socket?)');
      // Also marks an fd a threadpool thread opened meanwhile: Node's own are close-on-exec anyway.
      for (const [fd, target] of openFdTargets()) if (before.get(fd) !== target) setCloseOnExec(fd);
      // Without buffering, libnftables prints to the process's stdout/stderr.
      if (f.bufferOutput(ctx) !== 0 || f.bufferError(ctx) !== 0)
        throw new NftError('', 'cannot buffer libnftables output');
      return ctx;
    },
    setOutputFlags: (ctx, flags) => f.setFlags(ctx, flags),
    runAsync: (ctx, text, cb) => f.run.async(ctx, text, cb),
    output: (ctx) => (f.getOutput(ctx) as string | null) ?? '',
    errors: (ctx) => (f.getError(ctx) as string | null) ?? '',
  };
}

let lib: LibnftablesBindings | undefined;
let hostCtx: Ctx | undefined;
let tail: Promise<unknown> = Promise.resolve();

const library = () => (lib ??= bindLibnftables());

/** The context for the host's tables (made on the main thread in the host's namespaces: see above). */
function hostContext(): Ctx {
  return (hostCtx ??= library().newContext());
}

/**
 * Binds libnftables and makes the host's context ahead of the first command: a supervisor
 * started early by `up` does it while it waits for its project, off the first plan's path.
 * A failure (no libnftables on the host) is left to the first real command: a failed bind is
 * not kept, so that command fails again with the error that names the package to install,
 * where the early supervisor would only have crashed before it knew its stack.
 */
export function openHostContext(): void {
  try {
    hostContext();
  } catch {
    // reported by the first command that needs it
  }
}

async function runNow(text: string, json: boolean): Promise<string> {
  return runOn(library(), hostContext(), text, json);
}

async function runOn(lib: LibnftablesBindings, ctx: Ctx, text: string, json: boolean): Promise<string> {
  lib.setOutputFlags(ctx, json ? NFT_CTX_OUTPUT_JSON : 0);
  const rc = await new Promise<number>((resolve, reject) => {
    lib.runAsync(ctx, text, (err, result) => (err ? reject(err) : resolve(result)));
  });
  // Read both buffers every time: reading is what rewinds them for the next command.
  const out = lib.output(ctx);
  const err = lib.errors(ctx);
  if (rc !== 0) throw new NftError(text, err);
  return out;
}

/**
 * Runs nft command text (one or many lines, `nft -f` syntax) as one kernel transaction:
 * either all of it applies or none does. Resolves with what nft prints (JSON with
 * `json: true`); rejects with NftError carrying libnftables' message.
 */
export function nftRun(text: string, opts: { json?: boolean } = {}): Promise<string> {
  return queued(() => runNow(text, opts.json === true));
}

/** Runs `f` after every command queued before it. */
function queued<T>(f: () => Promise<T>): Promise<T> {
  const next = tail.then(f);
  tail = next.catch(() => undefined);
  return next;
}
