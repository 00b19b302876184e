/* Test helper (never shipped): ask the real kernel what the seccomp filter
 * answers for the argument-checked and ABI-checked cases.
 *   seccomp-probe        prints clone_newuts=, clone_thread=, clone3=, tiocsti=, tcgets=
 *   seccomp-probe x32    makes an x32-ABI getpid (x86_64 only): the filter kills us (SIGSYS) */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static const char *err(long r) {
  if (r >= 0) return "ok";
  return errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : strerror(errno);
}

int main(int argc, char **argv) {
  if (argc > 1 && strcmp(argv[1], "x32") == 0) {
#ifdef __x86_64__
    long r = syscall(0x40000000L | SYS_getpid);
    printf("x32=%s\n", err(r)); /* only reached if the filter let it through */
#else
    printf("x32=not-x86_64\n");
#endif
    return 0;
  }
  /* raw clone(2) with a namespace flag: fork-like, the child exits at once */
  long r = syscall(SYS_clone, (long)(CLONE_NEWUTS | SIGCHLD), 0L, 0L, 0L, 0L);
  if (r == 0) _exit(0);
  printf("clone_newuts=%s\n", err(r));
  if (r > 0) waitpid((pid_t)r, NULL, 0);
  r = syscall(SYS_clone, (long)SIGCHLD, 0L, 0L, 0L, 0L);
  if (r == 0) _exit(0);
  printf("clone_fork=%s\n", err(r));
  if (r > 0) waitpid((pid_t)r, NULL, 0);
#ifdef SYS_clone3
  r = syscall(SYS_clone3, NULL, 0L);
  printf("clone3=%s\n", err(r));
#endif
  /* TIOCSTI on a non-terminal fails with ENOTTY when allowed, EPERM when filtered;
   * the same with garbage in the high 32 bits of cmd */
  char c = 'x';
  r = syscall(SYS_ioctl, 0L, (long)TIOCSTI, &c);
  printf("tiocsti=%s\n", err(r));
  r = syscall(SYS_ioctl, 0L, (long)TIOCSTI | (1L << 32), &c);
  printf("tiocsti_hi=%s\n", err(r));
  struct termios t;
  r = syscall(SYS_ioctl, 0L, (long)TCGETS, &t);
  printf("tcgets=%s\n", err(r));
  return 0;
}
