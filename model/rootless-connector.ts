// Which program connects the user's network namespace to the host in rootless mode:
// slirp4netns when installed, pasta (Debian's passt) otherwise; STACK_ROOTLESS_NET=pasta or
// slirp4netns picks one. slirp4netns comes first because its API socket adds and removes a
// forward while it runs; Debian 12's pasta has no such control, so every change of the
// published ports restarts it (rootless up -d 1.51× rootful with pasta, 1.10× with
// slirp4netns: docs/rootless.md). Shared by doctor (its rootless-net line) and the runtime
// (executor/host/linux/rootless/connectors.ts), so both say the same.

export type ConnectorName = 'pasta' | 'slirp4netns';
export const CONNECTORS: readonly ConnectorName[] = ['slirp4netns', 'pasta'];

/**
 * Where a stack's resolver sends what the host's loopback resolver would answer: both
 * connectors forward DNS queries sent to this address to the host's resolvers (slirp4netns's
 * fixed 10.0.2.3; pasta is given the same with --dns-forward), asking from the host's own
 * network namespace, where a loopback resolver (127.0.0.53) is reachable.
 */
export const CONNECTOR_DNS = '10.0.2.3';

export class ConnectorChoiceError extends Error {
  constructor(message: string) {
    super(`rootless: ${message}`);
    this.name = 'ConnectorChoiceError';
  }
}

/** The connector to use: the one STACK_ROOTLESS_NET names, else slirp4netns, else pasta (paths by name; undefined when absent). */
export function chooseConnector(
  installed: Partial<Record<ConnectorName, string | undefined>>,
  wanted: string | undefined,
): ConnectorName {
  if (wanted) {
    if (!CONNECTORS.includes(wanted as ConnectorName))
      throw new ConnectorChoiceError(`STACK_ROOTLESS_NET=${wanted}: give pasta or slirp4netns`);
    if (!installed[wanted as ConnectorName])
      throw new ConnectorChoiceError(
        `STACK_ROOTLESS_NET=${wanted}, but no ${wanted} on PATH (apt-get install ${wanted === 'pasta' ? 'passt' : wanted})`,
      );
    return wanted as ConnectorName;
  }
  if (installed.slirp4netns) return 'slirp4netns';
  if (installed.pasta) return 'pasta';
  throw new ConnectorChoiceError(
    "neither pasta nor slirp4netns on PATH: an ordinary user's stacks cannot reach the host's network or publish ports without one (apt-get install slirp4netns)",
  );
}
