// The stages' config: one record per line, fields separated by spaces and percent-encoded
// (executor/host/linux/native-init.ts writes it); the supervisor has decided everything in it.

#include "stage.h"

struct config cfg;

int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/** Decodes %XX escapes in place. */
static char *decode(char *s) {
  char *out = s, *in = s;
  while (*in) {
    if (in[0] == '%' && hexval(in[1]) >= 0 && hexval(in[2]) >= 0) {
      *out++ = (char)(hexval(in[1]) * 16 + hexval(in[2]));
      in += 3;
    } else {
      *out++ = *in++;
    }
  }
  *out = 0;
  return s;
}

#define NEED(n) do { if (nf < (n) + 1) fail(failure_code, "config line %s has %d fields, needs %d", f[0], nf - 1, (n)); } while (0)
#define PUSH(arr, count, value) do { if ((size_t)(count) >= sizeof(arr) / sizeof((arr)[0])) fail(failure_code, "config: too many %s lines", f[0]); (arr)[(count)++] = (value); } while (0)

static void parse_line(char *line) {
  char *f[12];
  int nf = 0;
  for (char *tok = strtok(line, " "); tok && nf < 12; tok = strtok(NULL, " ")) f[nf++] = decode(tok);
  if (nf == 0) return;
  const char *k = f[0];
  if (!strcmp(k, "cgroup")) { NEED(1); PUSH(cfg.cgroups, cfg.n_cgroups, f[1]); }
  else if (!strcmp(k, "lower")) { NEED(1); PUSH(cfg.lowers, cfg.n_lowers, f[1]); }
  else if (!strcmp(k, "upper")) { NEED(1); cfg.upper = f[1]; }
  else if (!strcmp(k, "work")) { NEED(1); cfg.work = f[1]; }
  else if (!strcmp(k, "rootfs")) { NEED(1); cfg.rootfs = f[1]; }
  else if (!strcmp(k, "hostname")) { NEED(1); cfg.hostname = f[1]; }
  else if (!strcmp(k, "domainname")) { NEED(1); cfg.domainname = f[1]; }
  else if (!strcmp(k, "etc")) { NEED(2); struct kv e = { f[1], f[2] }; PUSH(cfg.etc, cfg.n_etc, e); }
  else if (!strcmp(k, "mount")) {
    NEED(7);
    struct mount_item m = { f[1], f[2], f[3], f[7], atoi(f[4]), atoi(f[5]), strtoul(f[6], NULL, 10) };
    PUSH(cfg.mounts, cfg.n_mounts, m);
  }
  else if (!strcmp(k, "dev")) { NEED(3); struct dev_node d = { f[1], (unsigned)atoi(f[2]), (unsigned)atoi(f[3]) }; PUSH(cfg.devs, cfg.n_devs, d); }
  else if (!strcmp(k, "device")) {
    NEED(6);
    struct device_node d = { f[1], (unsigned)strtoul(f[2], NULL, 8), (unsigned)atoi(f[3]), (unsigned)atoi(f[4]), (unsigned)atoi(f[5]), (unsigned)atoi(f[6]) };
    PUSH(cfg.devices, cfg.n_devices, d);
  }
  else if (!strcmp(k, "group-add")) { NEED(1); PUSH(cfg.group_add, cfg.n_group_add, f[1]); }
  else if (!strcmp(k, "oom-score-adj")) { NEED(1); cfg.oom_score_adj = atoi(f[1]); cfg.has_oom_score_adj = 1; }
  else if (!strcmp(k, "mask")) { NEED(1); PUSH(cfg.masked, cfg.n_masked, f[1]); }
  else if (!strcmp(k, "readonly")) { NEED(1); PUSH(cfg.readonly, cfg.n_readonly, f[1]); }
  else if (!strcmp(k, "init")) { NEED(2); cfg.init_source = f[1]; cfg.init_target = f[2]; }
  else if (!strcmp(k, "sysctl")) { NEED(3); struct sysctl s = { f[1], f[2], f[3] }; PUSH(cfg.sysctls, cfg.n_sysctls, s); }
  else if (!strcmp(k, "rlimit")) {
    NEED(3);
    if (cfg.n_rlimits >= RLIM_NLIMITS) fail(failure_code, "config: too many rlimit lines");
    cfg.rlimits[cfg.n_rlimits] = atoi(f[1]);
    cfg.soft[cfg.n_rlimits] = f[2][0] == '-' ? RLIM_INFINITY : strtoull(f[2], NULL, 10);
    cfg.hard[cfg.n_rlimits] = f[3][0] == '-' ? RLIM_INFINITY : strtoull(f[3], NULL, 10);
    cfg.n_rlimits++;
  }
  else if (!strcmp(k, "cgroupfs")) { NEED(2); cfg.cgroupfs = atoi(f[1]); cfg.cgroupfs_read_only = atoi(f[2]); }
  else if (!strcmp(k, "cgroupfs-hierarchy")) { NEED(1); PUSH(cfg.cgroupfs_hierarchies, cfg.n_cgroupfs_hierarchies, f[1]); }
  else if (!strcmp(k, "cgroupfs-link")) { NEED(2); struct kv l = { f[1], f[2] }; PUSH(cfg.cgroupfs_links, cfg.n_cgroupfs_links, l); }
  else if (!strcmp(k, "argv")) { NEED(1); PUSH(cfg.argv, cfg.argc, f[1]); }
  else if (!strcmp(k, "env")) { NEED(1); PUSH(cfg.env, cfg.envc, f[1]); }
  else if (!strcmp(k, "user")) { cfg.user = nf > 1 ? f[1] : ""; }
  else if (!strcmp(k, "cwd")) { NEED(1); cfg.cwd = f[1]; }
  else if (!strcmp(k, "privileged")) { NEED(1); cfg.privileged = atoi(f[1]); }
  else if (!strcmp(k, "readonly-rootfs")) { NEED(1); cfg.read_only_rootfs = atoi(f[1]); }
  else if (!strcmp(k, "wait")) { NEED(1); cfg.wait_for_release = atoi(f[1]); }
  else if (!strcmp(k, "no-new-privs")) { NEED(1); cfg.no_new_privs = atoi(f[1]); }
  else if (!strcmp(k, "shm")) { NEED(1); cfg.shm_size = strtoull(f[1], NULL, 10); }
  else if (!strcmp(k, "shm-bind")) { NEED(1); cfg.shm_bind = f[1]; }
  else if (!strcmp(k, "userns")) { NEED(1); cfg.userns = atoi(f[1]); }
  else if (!strcmp(k, "no-shm")) { NEED(1); cfg.no_shm = atoi(f[1]); }
  else if (!strcmp(k, "keep-hostname")) { NEED(1); cfg.keep_hostname = atoi(f[1]); }
  else if (!strcmp(k, "host-cgroupns")) { NEED(1); cfg.host_cgroupns = atoi(f[1]); }
  else if (!strcmp(k, "keep-caps")) { NEED(1); cfg.keep_caps = strtoull(f[1], NULL, 16); }
  else if (!strcmp(k, "last-cap")) { NEED(1); cfg.last_cap = atoi(f[1]); }
  else if (!strcmp(k, "seccomp")) { NEED(1); cfg.seccomp_hex = f[1]; }
  else if (!strcmp(k, "pid")) { NEED(1); cfg.pid = strtol(f[1], NULL, 10); }
  else if (!strcmp(k, "start-time")) { NEED(1); cfg.start_time = strtoull(f[1], NULL, 10); }
  else if (!strcmp(k, "tty")) { NEED(1); cfg.tty = atoi(f[1]); }
  else if (!strcmp(k, "container")) { NEED(1); cfg.container = f[1]; }
  else fail(failure_code, "config: unknown line %s", k);
}

void read_config(const char *name) {
  const char *raw = getenv(name);
  if (!raw) fail(failure_code, "%s is not set", name);
  char *text = strdup(raw);
  for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) parse_line(line);
  cfg.argv[cfg.argc] = NULL;
  if (!cfg.cwd || cfg.argc == 0) fail(failure_code, "config lacks the command or cwd");
  if (!cfg.user) cfg.user = "";
}
