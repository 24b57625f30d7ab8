// The typed, validated and normalised model of a stack.yaml: what the loader produces and
// what reconcile() consumes. Every short form of the Compose format has already been
// expanded here, so later stages never look at raw YAML.

/** Where a value came from in a stack file (1-based line and column). */
export interface SourcePos {
  file: string;
  line: number;
  col: number;
}

export interface PortMapping {
  /** Host address to bind; undefined means every host address (0.0.0.0). */
  hostIp?: string;
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp';
}

export interface ServiceNetwork {
  /** Key of the network in Stack.networks. */
  network: string;
  aliases: string[];
  ipv4Address?: string;
}

export interface Service {
  name: string;
  image: string;
  /** Overrides the image ENTRYPOINT when set (an empty list clears it). */
  entrypoint?: string[];
  /** Overrides the image CMD when set. */
  command?: string[];
  /** Environment set by the file; image ENV is merged under it by reconcile. */
  environment: Record<string, string>;
  ports: PortMapping[];
  /** Services this one waits for, sorted by name. */
  dependsOn: string[];
  networks: ServiceNetwork[];
  workingDir?: string;
  hostname?: string;
  stopSignal: string;
  stopGracePeriodSeconds: number;
  pos: SourcePos;
}

export interface Network {
  /** Key in the file (`default` for the implicit one). */
  key: string;
  /** Name as docker compose would show it: `<project>_<key>`. */
  name: string;
  subnet?: string;
  gateway?: string;
  external: boolean;
}

export interface Volume {
  key: string;
  name: string;
  external: boolean;
}

export interface Stack {
  /** Project name: lowercase letters, digits, `-` and `_`. */
  project: string;
  /** Absolute path of the main stack file (informational). */
  file: string;
  /** Services sorted by name. */
  services: Service[];
  /** Networks sorted by key. */
  networks: Network[];
  volumes: Volume[];
}
