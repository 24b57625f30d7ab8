// The error path of the native stages: one JSON line on the status fd naming the step and
// the cause, then the exit code the Node stages use.

#include "stage.h"

const char *step = "read config";
int status_fd = 4;
int failure_code = 127;

static void json_string(FILE *f, const char *s) {
  fputc('"', f);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(f, "\\%c", c);
    else if (c < 0x20) fprintf(f, "\\u%04x", c);
    else fputc(c, f);
  }
  fputc('"', f);
}

__attribute__((noreturn)) static void report_error(const char *message, const char *code, int exit_code) {
  FILE *f = fdopen(status_fd, "w");
  if (f) {
    fputs("{\"event\":\"error\",\"step\":", f);
    json_string(f, step);
    fputs(",\"message\":", f);
    json_string(f, message);
    if (code) {
      fputs(",\"code\":", f);
      json_string(f, code);
    }
    fputs("}\n", f);
    fflush(f);
  }
  _exit(exit_code);
}

const char *errno_name(int e) {
  const char *name = strerrorname_np(e);
  return name ? name : "EUNKNOWN";
}

/** "<call>(<detail>) failed: EINVAL", as InitSysError words it. */
void fail_call(const char *call, const char *detail) {
  int e = errno;
  char msg[8192];
  snprintf(msg, sizeof msg, "%s(%s) failed: %s", call, detail, errno_name(e));
  // execve that found the file but cannot run it: docker's 126.
  int code = strcmp(step, "exec") == 0 && (e == EACCES || e == ENOEXEC) ? 126 : failure_code;
  report_error(msg, errno_name(e), code);
}

void fail(int exit_code, const char *fmt, ...) {
  char msg[8192];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  report_error(msg, NULL, exit_code);
}

char *quoted(const char *s) {
  static char bufs[4][4200];
  static int next;
  char *b = bufs[next++ % 4];
  if (!s) return strcpy(b, "null");
  snprintf(b, sizeof bufs[0], "\"%.4096s\"", s);
  return b;
}

void do_mount(const char *src, const char *target, const char *fstype, unsigned long flags, const char *data) {
  if (mount(src, target, fstype, flags, data) == 0) return;
  char detail[17000];
  snprintf(detail, sizeof detail, "%s, %s, %s, %s", quoted(src), quoted(target), quoted(fstype), quoted(data));
  fail_call("mount", detail);
}

/** snprintf for paths and options: a result that does not fit is an error, never cut short. */
void path_fmt(char *out, size_t size, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(out, size, fmt, ap);
  va_end(ap);
  if (n < 0 || (size_t)n >= size) fail(failure_code, "path or option longer than %zu bytes: %.200s…", size - 1, out);
}