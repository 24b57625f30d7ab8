// An ordinary user for the rootless bench: made with useradd (subordinate ids from
// login.defs), a home and an XDG_RUNTIME_DIR of its own under the bench's temp folder, and
// /dev/net/tun opened to it for the run (udev's 0666; this host has it 0600). `dispose`
// kills whatever the user still runs (stack's namespace holder, podman's pause process,
// slirp4netns), removes the user with its subid lines and puts the tun mode back.

import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const TUN = '/dev/net/tun';

const must = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

/** Makes the user; `root` is a folder of the bench's (mode 0755, so the user can reach its home). */
export function makeBenchUser(root, name) {
  fs.chmodSync(root, 0o755);
  must('useradd', ['--no-create-home', '--shell', '/usr/sbin/nologin', name]);
  const user = { name, made: true, home: path.join(root, 'home'), xdg: path.join(root, 'xdg') };
  try {
    user.uid = Number(must('id', ['-u', name]).trim());
    user.gid = Number(must('id', ['-g', name]).trim());
    const mode = fs.statSync(TUN).mode & 0o777;
    if ((mode & 0o006) !== 0o006) {
      user.tunMode = mode;
      fs.chmodSync(TUN, 0o666);
    }
    for (const d of [user.home, user.xdg]) {
      fs.mkdirSync(d, { mode: 0o700 });
      fs.chownSync(d, user.uid, user.gid);
    }
  } catch (e) {
    disposeBenchUser(user);
    throw e;
  }
  return user;
}

/** The argv prefix that runs a command as the user (no supplementary groups). */
export const asUser = (user) => ['setpriv', `--reuid=${user.uid}`, `--regid=${user.gid}`, '--clear-groups', '--'];

/** The environment of a login of the user's: HOME and XDG_RUNTIME_DIR, no STACK_ROOT/STACK_RUN of root's. */
export function userEnv(user, extra = {}) {
  const env = { ...process.env, HOME: user.home, XDG_RUNTIME_DIR: user.xdg, XDG_DATA_HOME: '', ...extra };
  delete env.STACK_ROOT;
  delete env.STACK_RUN;
  return env;
}

const userPids = (user) =>
  spawnSync('ps', ['-u', user.name, '-o', 'pid='], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter((p) => p.trim() !== '');

export function disposeBenchUser(user) {
  if (user.uid !== undefined) {
    for (const pid of userPids(user)) {
      try {
        process.kill(Number(pid), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    // userdel refuses a user whose processes are not reaped yet (it left one behind once).
    for (let i = 0; i < 100 && userPids(user).length > 0; i++) spawnSync('sleep', ['0.05']);
  }
  if (user.made) {
    const r = spawnSync('userdel', [user.name], { encoding: 'utf8' });
    if (r.status !== 0) process.stderr.write(`bench: userdel ${user.name} failed: ${r.stderr}`);
  }
  if (user.tunMode !== undefined) fs.chmodSync(TUN, user.tunMode);
}
