// A BuildRequest for the builder's tests: the context's Dockerfile, one tag, no network,
// nothing else asked for unless `over` says so.
import path from 'node:path';
import type { BuildRequest } from '../../images/build/build-request.js';

export function buildRequest(context: string, tag: string, over: Partial<BuildRequest> = {}): BuildRequest {
  return {
    context,
    dockerfile: { file: path.join(context, 'Dockerfile') },
    buildArgs: new Map(),
    tags: [tag],
    labels: {},
    noCache: false,
    pull: false,
    network: 'none',
    extraHosts: [],
    secrets: [],
    additionalContexts: {},
    ...over,
  };
}
