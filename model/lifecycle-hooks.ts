// Compose's lifecycle hooks (`post_start`, `pre_stop`): commands run inside a service's
// running container, as `stack exec` runs one, at a step of its life; `pre_start` steps run
// in containers of their own before the service's first one starts. The executor runs
// them (executor/lifecycle-hooks.ts); the loader fills them (planner/load/lifecycle-hooks.ts).

/** One entry of `post_start:` or `pre_stop:`. */
export interface ServiceHook {
  /** The argv (a string command is split as `command:` is, with no shell). */
  command: string[];
  /** Default: the container's user. */
  user?: string;
  /** All capabilities and no seccomp filter for this command, as `docker exec --privileged`. */
  privileged: boolean;
  /** Default: the container's working directory. */
  workingDir?: string;
  /** Laid over the container's environment. */
  environment: Record<string, string>;
}

/** The hooks a container carries in its spec; a list is left out when the file has none. */
export interface ContainerLifecycleHooks {
  /** Run as short-lived containers before the service's first container starts (executor/pre-start-steps.ts). */
  preStart?: ServiceHook[];
  postStart?: ServiceHook[];
  preStop?: ServiceHook[];
}
