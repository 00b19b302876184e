/* Test helper (never shipped): call keyctl(2) and say what happened.
 * Prints "keyctl=ok" or "keyctl=<errno name>". The kernel keyring is not
 * namespaced, which is why Docker's seccomp profile refuses keyctl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(void) {
  /* KEYCTL_GET_KEYRING_ID (0) of KEY_SPEC_USER_KEYRING (-4), don't create (0) */
  long r = syscall(SYS_keyctl, 0L, -4L, 0L);
  if (r >= 0) printf("keyctl=ok\n");
  else printf("keyctl=%s\n", errno == EPERM ? "EPERM" : errno == ENOSYS ? "ENOSYS" : strerror(errno));
  return 0;
}
