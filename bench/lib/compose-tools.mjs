// The three tools that bring up a compose file — stack, docker-compose, podman-compose —
// behind one shape: up -d, down, and the environment each needs (private daemon socket,
// private podman storage). Absent tools are left out by the caller.

import { timed } from './run.mjs';

export function composeTools(ctx) {
  const tools = [{ name: 'stack', cmd: ctx.stackBin, pre: [], env: ctx.stackEnv }];
  if (ctx.docker && ctx.present['docker-compose'])
    tools.push({ name: 'docker-compose', cmd: 'docker-compose', pre: [], env: ctx.docker.env });
  else tools.push({ name: 'docker-compose', absent: true });
  if (ctx.podman && ctx.present['podman-compose'])
    tools.push({ name: 'podman-compose', cmd: 'podman-compose', pre: [], env: ctx.podman.env });
  else tools.push({ name: 'podman-compose', absent: true });
  return tools;
}

export function compose(tool, file, project, args, extraEnv = {}) {
  return timed(tool.cmd, [...tool.pre, '-f', file, '-p', project, ...args], { env: { ...tool.env, ...extraEnv } });
}
