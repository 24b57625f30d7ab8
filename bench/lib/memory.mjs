// Resident memory of a tool's own processes (daemons, supervisors, shims, conmon, proxies
// — never the containers' payloads), summed from /proc/PID/status VmRSS.

import fs from 'node:fs';

function processes() {
  const out = [];
  for (const pid of fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
      const comm = /Name:\s+(\S+)/.exec(status)?.[1] ?? '';
      const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      out.push({ pid: Number(pid), comm, cmdline, rssKb: rss });
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Which processes belong to each tool's machinery (not to the containers it runs). */
export const OWN_PROCESSES = {
  stack: (p, repo) => p.cmdline.includes(repo) && /dist\/(bundle\/supervisor\.js|init\.cjs)/.test(p.cmdline),
  docker: (p) =>
    ['dockerd', 'containerd', 'containerd-shim', 'containerd-shim-runc-v2', 'docker-proxy'].includes(p.comm),
  podman: (p) => ['conmon', 'aardvark-dns', 'podman', 'slirp4netns', 'rootlessport'].includes(p.comm),
};

export function ownMemory(tool, repo) {
  const mine = processes().filter((p) => OWN_PROCESSES[tool](p, repo));
  return {
    count: mine.length,
    rssMB: mine.reduce((s, p) => s + p.rssKb, 0) / 1024,
    comms: [...new Set(mine.map((p) => p.comm))].sort(),
  };
}
