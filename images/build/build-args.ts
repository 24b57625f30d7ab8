// Which ARG values a build step sees, by docker's scoping rules: ARGs before the first FROM
// are usable in FROM lines only, until a stage declares them again (`ARG VERSION` without a
// default then takes the global value); a build arg (`--build-arg`, compose `build.args`)
// overrides a declared ARG's default; the proxy ARGs are usable without a declaration; the
// platform ARGs (TARGETARCH …) are set in the global scope and must be declared in a stage.

import { expandWord } from './expand-word.js';

export const PROXY_ARGS = ['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((n) => [
  n,
  n.toLowerCase(),
]);

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export function platformString(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** TARGET* and BUILD* ARGs: stack builds for the host's platform only. */
export function platformArgs(p: Platform): Map<string, string> {
  const m = new Map<string, string>();
  for (const prefix of ['TARGET', 'BUILD']) {
    m.set(`${prefix}PLATFORM`, platformString(p));
    m.set(`${prefix}OS`, p.os);
    m.set(`${prefix}ARCH`, p.architecture);
    m.set(`${prefix}VARIANT`, p.variant ?? '');
  }
  return m;
}

export class ArgScope {
  /** Values of the ARGs declared so far in this scope (undefined: declared without a value). */
  private readonly declared = new Map<string, string | undefined>();

  constructor(
    private readonly buildArgs: ReadonlyMap<string, string>,
    /** The global scope's values, for a stage that declares a global ARG again. */
    private readonly globals: ReadonlyMap<string, string | undefined>,
    private readonly consumed: Set<string>,
  ) {}

  /** `ARG NAME[=DEFAULT]`; the default is expanded with what the step sees. */
  declare(name: string, rawDefault: string | undefined, visible: ReadonlyMap<string, string>, escape: string): void {
    if (this.buildArgs.has(name)) {
      this.consumed.add(name);
      this.declared.set(name, this.buildArgs.get(name));
    } else if (rawDefault !== undefined) this.declared.set(name, expandWord(rawDefault, visible, escape));
    else this.declared.set(name, this.globals.get(name));
  }

  /** What expansion sees from ARGs: declared ones with a value, and proxy build args. */
  values(): Map<string, string> {
    const m = new Map<string, string>();
    for (const name of PROXY_ARGS) {
      const v = this.buildArgs.get(name);
      if (v !== undefined) {
        this.consumed.add(name);
        m.set(name, v);
      }
    }
    for (const [k, v] of this.declared) if (v !== undefined) m.set(k, v);
    return m;
  }

  snapshot(): Map<string, string | undefined> {
    return new Map(this.declared);
  }
}
