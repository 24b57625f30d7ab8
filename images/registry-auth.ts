// Answers a registry's 401 challenge (RFC 7235 `WWW-Authenticate`): `Basic` is answered with
// the user's credentials; `Bearer realm=…,service=…,scope=…` by asking the token endpoint
// (with the credentials when there are some, anonymously otherwise) for a token.

import { httpGet, readBody } from './http-get.js';
import { basicAuthorization, type Credentials } from './registry-credentials.js';

export class RegistryAuthError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryAuthError';
  }
}

export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** `Bearer realm="https://a/token",service="reg",scope="repository:x:pull"` → scheme + params. */
export function parseChallenge(header: string): Challenge {
  const m = /^\s*([A-Za-z]+)\s*(.*)$/s.exec(header);
  if (!m) throw new RegistryAuthError(`unreadable WWW-Authenticate header ${JSON.stringify(header)}`);
  const params: Record<string, string> = {};
  const re = /([A-Za-z_][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/g;
  for (let p = re.exec(m[2]!); p !== null; p = re.exec(m[2]!)) {
    params[p[1]!.toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3]!;
  }
  return { scheme: m[1]!.toLowerCase(), params };
}

const TOKEN_LIMIT = 1 << 20;

/** The Authorization header value that answers `challenge`, for pulling `repository`. */
export async function answerChallenge(
  challenge: Challenge,
  registry: string,
  repository: string,
  creds: Credentials | undefined,
): Promise<string> {
  const login = 'give credentials in STACK_REGISTRY_AUTH or ~/.docker/config.json (see README, "Registries")';
  if (challenge.scheme === 'basic') {
    if (!creds) throw new RegistryAuthError(`registry ${registry} requires a login; ${login}`);
    return basicAuthorization(creds);
  }
  if (challenge.scheme !== 'bearer')
    throw new RegistryAuthError(
      `registry ${registry} asks for ${challenge.scheme} authentication, which stack does not speak`,
    );
  const realm = challenge.params.realm;
  if (!realm) throw new RegistryAuthError(`registry ${registry} sent a Bearer challenge without a realm`);
  const url = new URL(realm);
  if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
  url.searchParams.set('scope', challenge.params.scope ?? `repository:${repository}:pull`);
  const res = await httpGet(url.href, creds ? { Authorization: basicAuthorization(creds) } : {});
  const body = await readBody(res, TOKEN_LIMIT);
  if (res.status === 401 || res.status === 403) {
    throw new RegistryAuthError(
      creds
        ? `the token service of ${registry} (${url.origin}) refused the credentials for ${repository} (HTTP ${res.status}); check them`
        : `registry ${registry} requires a login for ${repository}; ${login}`,
    );
  }
  if (res.status !== 200)
    throw new RegistryAuthError(`the token service of ${registry} (${url.origin}) answered HTTP ${res.status}`);
  let token: unknown;
  try {
    const doc = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
    token = doc.token ?? doc.access_token;
  } catch {
    token = undefined;
  }
  if (typeof token !== 'string' || token === '')
    throw new RegistryAuthError(`the token service of ${registry} (${url.origin}) answered without a token`);
  return `Bearer ${token}`;
}
