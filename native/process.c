// The process the stages execve: its user from the container's /etc/passwd and /etc/group,
// its environment and command (init/user.ts, init/exec.ts), and the restrictions applied
// around execve (init/restrictions.ts, init/caps.ts).

#include "stage.h"

static int is_number(const char *s) {
  if (!*s) return 0;
  for (; *s; s++) if (*s < '0' || *s > '9') return 0;
  return 1;
}

/** Splits an /etc/passwd or /etc/group line into `fields` (in place); returns how many. */
static int split_colon(char *line, char **fields, int max) {
  int n = 0;
  fields[n++] = line;
  for (char *p = line; *p && n < max; p++) {
    if (*p == ':') { *p = 0; fields[n++] = p + 1; }
  }
  return n;
}

static FILE *open_etc(const char *name) {
  char path[64];
  path_fmt(path, sizeof path, "/etc/%s", name);
  return fopen(path, "re");
}

void resolve_user(struct user *u) {
  char spec[1024], *group_part = NULL;
  path_fmt(spec, sizeof spec, "%s", cfg.user[0] ? cfg.user : "0");
  char *colon = strchr(spec, ':');
  if (colon) { *colon = 0; group_part = colon + 1; }
  const char *user_part = spec;
  char line[4096], *f[8];
  int found = 0;
  u->uid = 0; u->gid = 0; u->n_groups = 0; strcpy(u->home, "/"); u->name[0] = 0;
  FILE *pw = open_etc("passwd");
  while (pw && fgets(line, sizeof line, pw)) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    int n = split_colon(line, f, 8);
    if (n < 4) continue;
    if (is_number(user_part) ? strcmp(f[2], user_part) : strcmp(f[0], user_part)) continue;
    found = 1;
    u->uid = (uid_t)strtoul(f[2], NULL, 10);
    u->gid = (gid_t)strtoul(f[3], NULL, 10);
    path_fmt(u->name, sizeof u->name, "%s", f[0]);
    if (n > 5 && f[5][0]) path_fmt(u->home, sizeof u->home, "%s", f[5]);
    break;
  }
  if (pw) fclose(pw);
  if (!found) {
    if (!is_number(user_part)) fail(failure_code, "unable to find user %s: no matching entries in passwd file", user_part);
    u->uid = (uid_t)strtoul(user_part, NULL, 10);
  }
  FILE *gr = open_etc("group");
  if (group_part && group_part[0]) {
    int gfound = 0;
    while (gr && fgets(line, sizeof line, gr)) {
      line[strcspn(line, "\n")] = 0;
      if (!line[0] || line[0] == '#') continue;
      if (split_colon(line, f, 8) < 3) continue;
      if (is_number(group_part) ? strcmp(f[2], group_part) : strcmp(f[0], group_part)) continue;
      gfound = 1;
      u->gid = (gid_t)strtoul(f[2], NULL, 10);
      break;
    }
    if (!gfound) {
      if (!is_number(group_part)) fail(failure_code, "unable to find group %s: no matching entries in group file", group_part);
      u->gid = (gid_t)strtoul(group_part, NULL, 10);
    }
    if (gr) rewind(gr);
  }
  u->groups[u->n_groups++] = u->gid;
  // The user's supplementary groups come along, as with docker.
  while (u->name[0] && gr && fgets(line, sizeof line, gr) && u->n_groups < 64) {
    line[strcspn(line, "\n")] = 0;
    if (!line[0] || line[0] == '#') continue;
    if (split_colon(line, f, 8) < 4) continue;
    gid_t gid = (gid_t)strtoul(f[2], NULL, 10);
    int member = 0;
    for (char *save = NULL, *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) member |= !strcmp(m, u->name);
    int seen = 0;
    for (int i = 0; i < u->n_groups; i++) seen |= u->groups[i] == gid;
    if (member && !seen) u->groups[u->n_groups++] = gid;
  }
  // group_add: by number as it is, by name from the container's /etc/group, as docker does.
  for (int i = 0; i < cfg.n_group_add && u->n_groups < 64; i++) {
    const char *g = cfg.group_add[i];
    gid_t gid = (gid_t)strtoul(g, NULL, 10);
    if (!is_number(g)) {
      int gfound = 0;
      if (gr) rewind(gr);
      while (!gfound && gr && fgets(line, sizeof line, gr)) {
        line[strcspn(line, "\n")] = 0;
        if (!line[0] || line[0] == '#' || split_colon(line, f, 8) < 3 || strcmp(f[0], g)) continue;
        gfound = 1;
        gid = (gid_t)strtoul(f[2], NULL, 10);
      }
      if (!gfound) fail(failure_code, "group_add: unable to find group %s: no matching entries in group file", g);
    }
    int seen = 0;
    for (int j = 0; j < u->n_groups; j++) seen |= u->groups[j] == gid;
    if (!seen) u->groups[u->n_groups++] = gid;
  }
  if (gr) fclose(gr);
}

static const char *get_env(const char *key) {
  size_t len = strlen(key);
  for (int i = 0; i < cfg.envc; i++) if (!strncmp(cfg.env[i], key, len) && cfg.env[i][len] == '=') return cfg.env[i] + len + 1;
  return NULL;
}

static const char *DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

static char *env_entry(const char *key, const char *value) {
  char *e = malloc(strlen(key) + strlen(value) + 2);
  sprintf(e, "%s=%s", key, value);
  return e;
}

void container_env(const struct user *u) {
  if (cfg.envc + 3 >= (int)(sizeof cfg.env / sizeof cfg.env[0])) fail(failure_code, "too many environment variables");
  if (!get_env("PATH")) {
    memmove(cfg.env + 1, cfg.env, sizeof(char *) * (size_t)cfg.envc);
    cfg.env[0] = env_entry("PATH", DEFAULT_PATH);
    cfg.envc++;
  }
  if (!get_env("HOSTNAME")) cfg.env[cfg.envc++] = env_entry("HOSTNAME", cfg.hostname ? cfg.hostname : "");
  if (!get_env("HOME")) cfg.env[cfg.envc++] = env_entry("HOME", u->home);
  cfg.env[cfg.envc] = NULL;
}

/** 0 executable, 1 present but not, -1 absent. */
static int executable(const char *p) {
  struct stat st;
  if (stat(p, &st) != 0) return -1;
  return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : 1;
}

void look_path(const char *file, char *out, size_t size) {
  if (!file || !file[0]) fail(127, "empty command");
  if (strchr(file, '/')) {
    int state = executable(file);
    if (state == 0) { path_fmt(out, size, "%s", file); return; }
    if (state == 1) fail(126, "permission denied: %s", file);
    fail(127, "no such file or directory: %s", file);
  }
  char path[8192], denied[4096] = "";
  path_fmt(path, sizeof path, "%s", get_env("PATH") ? get_env("PATH") : DEFAULT_PATH);
  char *p = path;
  for (;;) {
    char *colon = strchr(p, ':');
    if (colon) *colon = 0;
    char candidate[4096];
    path_fmt(candidate, sizeof candidate, "%s/%s", p[0] ? p : ".", file);
    int state = executable(candidate);
    if (state == 0) { path_fmt(out, size, "%s", candidate); return; }
    if (state == 1 && !denied[0]) path_fmt(denied, sizeof denied, "%s", candidate);
    if (!colon) break;
    p = colon + 1;
  }
  if (denied[0]) fail(126, "permission denied: %s", denied);
  fail(127, "executable file not found in $PATH: %s", file);
}

void apply_restrictions(const struct user *u) {
  char detail[128];
  step = "ulimits";
  for (int i = 0; i < cfg.n_rlimits; i++) {
    struct rlimit lim = { cfg.soft[i], cfg.hard[i] };
    path_fmt(detail, sizeof detail, "%d, %llu, %llu", cfg.rlimits[i], cfg.soft[i], cfg.hard[i]);
    if (prlimit(0, (__rlimit_resource_t)cfg.rlimits[i], &lim, NULL) != 0) fail_call("prlimit", detail);
  }
  if (cfg.no_new_privs) {
    step = "no_new_privs";
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail_call("prctl", "PR_SET_NO_NEW_PRIVS");
  }
  if (cfg.seccomp_hex) {
    step = "seccomp";
    size_t len = strlen(cfg.seccomp_hex) / 2;
    unsigned char *bytes = malloc(len);
    for (size_t i = 0; i < len; i++) bytes[i] = (unsigned char)(hexval(cfg.seccomp_hex[2 * i]) * 16 + hexval(cfg.seccomp_hex[2 * i + 1]));
    struct sock_fprog prog = { (unsigned short)(len / sizeof(struct sock_filter)), (struct sock_filter *)bytes };
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) fail_call("prctl", "PR_SET_SECCOMP");
  }
  step = "drop capabilities";
  for (int cap = 0; cap <= cfg.last_cap; cap++) {
    if ((cfg.keep_caps >> cap) & 1) continue;
    path_fmt(detail, sizeof detail, "PR_CAPBSET_DROP, %d", cap);
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0) fail_call("prctl", detail);
  }
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0) fail_call("prctl", "PR_CAP_AMBIENT_CLEAR_ALL");
  // As root with every capability still in hand: setuid to non-root then clears the
  // permitted and effective sets by itself, which is what docker gives a non-root user.
  step = "set user";
  if (setgroups((size_t)u->n_groups, u->groups) != 0) fail_call("setgroups", "");
  if (setgid(u->gid) != 0) fail_call("setgid", "");
  if (setuid(u->uid) != 0) fail_call("setuid", "");
  if (u->uid == 0) {
    step = "set capabilities";
    struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) data[i].effective = data[i].permitted = (uint32_t)(cfg.keep_caps >> (32 * i));
    if (syscall(SYS_capset, &hdr, data) != 0) fail_call("capset", "v3");
  }
}

#ifndef SYS_close_range
#define SYS_close_range 436
#endif

static void close_fds(unsigned first, unsigned last) {
  if (first > last) return;
  if (syscall(SYS_close_range, first, last, 0) == 0) return;
  if (errno != ENOSYS) fail_call("close_range", "");
  // Kernels before 5.9: one by one, up to the fd limit.
  struct rlimit lim;
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) fail_call("getrlimit", "RLIMIT_NOFILE");
  for (unsigned long fd = first; fd <= last && fd < lim.rlim_cur; fd++) close((int)fd);
}

void close_other_fds(int keep_from, int keep_to) {
  close_fds(3, (unsigned)keep_from - 1);
  close_fds((unsigned)keep_to + 1, ~0U);
}

void prepare_process(struct user *u, char *file, size_t size) {
  step = "resolve user";
  resolve_user(u);
  container_env(u);
  step = "chdir";
  if (chdir(cfg.cwd) != 0) fail_call("chdir", quoted(cfg.cwd));
  step = "lookup";
  look_path(cfg.argv[0], file, size);
}
