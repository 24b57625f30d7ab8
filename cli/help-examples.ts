// `stack help COMMAND` (and `stack COMMAND --help`) ends with examples. One table for every
// command, added after all are registered, so each command's module stays about its flags;
// test/cli/help-examples.test.ts fails for a registered command without an entry here.

import type { Command } from 'commander';

/** By command path (`image rm` for a subcommand): each line a command and, after `#`, what it does. */
export const EXAMPLES: Record<string, string[]> = {
  up: [
    'stack up -d                      # start the stack in the background',
    'stack up --wait web           # start web and its dependencies, return once healthy',
    'stack up --exit-code-from tests # run the tests service, exit with its code',
  ],
  build: [
    'stack build                     # build every service with `build:`',
    'stack build --no-cache api      # build api again from scratch',
  ],
  watch: ['stack watch                     # apply each edit of the stack files until Ctrl-C'],
  down: [
    'stack down                      # remove the containers, networks and NAT rules',
    'stack down -v                   # also the volumes the stack made',
  ],
  ps: [
    'stack ps                        # the containers and their state',
    'stack ps --format json          # as docker compose ps --format json',
  ],
  run: [
    'stack run --rm web sh           # a one-off shell in a web container',
    'stack run --rm --image busybox -- echo hi # a container of an image, no stack file',
    'stack run --rm -p 8080:80 web   # publish its port 80 on host port 8080 while it runs',
    'stack run -d --rm -P web        # detached, with the service ports; removed when it exits',
  ],
  port: ['stack port web 80               # the host address web:80 is published on'],
  logs: ["stack logs -f web               # follow web's output", 'stack logs --tail 20 --timestamps'],
  stop: [
    'stack stop                      # stop every container, keep them',
    'stack stop -t 0 worker         # stop worker at once',
  ],
  start: ['stack start                     # start the stopped containers again'],
  restart: ['stack restart web               # a new process for web, same address'],
  events: ['stack events --format json      # lifecycle events, one JSON object per line'],
  exec: [
    'stack exec web sh               # a shell in the running web container',
    'stack exec -T db pg_dump app > dump.sql',
  ],
  config: ['stack config                    # the file resolved, as compose config', 'stack config --services'],
  plan: ['stack plan                      # what `up` would change, and why', 'stack plan --format json web'],
  graph: ['stack graph                     # services, networks and volumes as a graph'],
  stats: [
    'stack stats --no-stream          # CPU, memory, pids, net and block I/O once',
    'stack stats --format json web',
  ],
  cp: [
    'stack cp web:/etc/nginx/nginx.conf .   # out of the container',
    'stack cp -a ./site web:/srv/www        # in, owners kept',
  ],
  export: ["stack export web -o web.tar       # the running container's files as a tar"],
  commit: ["stack commit web myapp:debug       # the container's changes as a new image"],
  attach: ['stack attach web                  # its output (and input with stdin_open)'],
  create: ['stack create                      # the containers made, not started (ps -a: created); start starts them'],
  convert: [
    'stack convert --format kubernetes > k8s.yaml   # manifests for a cluster',
    'stack convert --format helm -o chart/          # a Helm chart, the variables as values',
  ],
  doctor: ['stack doctor                    # what this host lacks, and how to fix it'],
  push: ['stack push                      # push the images the stack builds'],
  pull: ['stack pull                      # the images of every service', 'stack pull --policy missing web'],
  image: ['stack image ls', 'stack image pull busybox'],
  'image import': ['stack image import ./busybox-oci --tag busybox:latest'],
  'image pull': ['stack image pull docker.io/library/alpine:3.20'],
  'image push': ['stack image push 127.0.0.1:5000/app:1'],
  'image save': ['stack image save busybox > busybox.tar'],
  'image ls': ['stack image ls --format json'],
  'image rm': ['stack image rm busybox'],
  'image prune': ['stack image prune -a              # also the whole build cache'],
  volume: ['stack volume ls', 'stack volume rm myapp_data'],
  'volume ls': ['stack volume ls'],
  'volume create': ['stack volume create shared'],
  'volume rm': ['stack volume rm myapp_data'],
  boot: ['stack boot                      # bring back every stack after a reboot'],
  ls: ['stack ls -a                     # every stack on this host, stopped ones too'],
  kill: ["stack kill -s SIGHUP web        # send SIGHUP to web's containers"],
  rm: [
    'stack rm -f                     # remove the stopped containers without asking',
    'stack rm -s -v worker          # stop worker, remove it and its anonymous volumes',
  ],
  pause: ["stack pause web                 # freeze web's processes"],
  unpause: ['stack unpause web               # thaw them'],
  top: ['stack top                       # the processes in every container'],
  wait: ['stack wait migrate             # block until migrate exits; exit with its code'],
  images: ['stack images                    # the images the containers use'],
  scale: ['stack scale worker=3            # run three worker containers'],
  version: ['stack version --short'],
  completion: ['source <(stack completion bash) # in ~/.bashrc', 'stack completion zsh > "${fpath[1]}/_stack"'],
};

/** Adds the Examples section to every command (and subcommand) the table has. */
export function addHelpExamples(program: Command, prefix = ''): void {
  for (const command of program.commands) {
    const name = `${prefix}${command.name()}`;
    const lines = EXAMPLES[name];
    if (lines) command.addHelpText('after', `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`);
    addHelpExamples(command, `${name} `);
  }
}
