#!/usr/bin/env bash
# Lab 04 demo: a process with CAP_SYS_CHROOT escapes a chroot, but not a pivot_root.
#
#   sudo labs/04-rootfs/breakout.sh
#
# It writes a marker file on the host, builds breakout.c statically into a
# throw-away copy of the host image, and runs it twice:
#   1. tiny-docker run --chroot --privileged   → ESCAPED (prints the marker)
#   2. tiny-docker run   (pivot_root, default capabilities) → CONTAINED
# Everything it made is removed on exit.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
bin="$repo/bin/tiny-docker"
image="${TINY_DOCKER_IMAGES:-$repo/rootfs/images}/host"
[ "$(id -u)" = 0 ] || { echo "breakout.sh: run as root (sudo), it starts containers" >&2; exit 1; }
[ -d "$image" ] || { echo "breakout.sh: no host image at $image: run npm run rootfs -- host" >&2; exit 1; }

work=$(mktemp -d /tmp/tdk-breakout-XXXXXX)
state="$work/state"
trap 'rm -rf "$work"' EXIT
marker="$work/HOST_MARKER"
echo "this file lives on the host ($(hostname), $(date -u +%H:%M:%S))" > "$marker"

cc -static -Os -o "$work/breakout" "$here/breakout.c"
# The image plus our program: hard links cost nothing and leave the image untouched
# (the container writes into its own overlay layer, never into these files).
cp -al "$image" "$work/rootfs" 2>/dev/null || cp -a "$image" "$work/rootfs"
mkdir -p "$work/rootfs/usr/local/bin"
cp "$work/breakout" "$work/rootfs/usr/local/bin/breakout"

echo "== 1. --chroot --privileged: chroot only changes the root of one process"
"$bin" --root "$state" run --rm --rootfs "$work/rootfs" --chroot --privileged /usr/local/bin/breakout "$marker" || true
echo
echo "== 2. default: pivot_root, old root detached, default capabilities (CAP_SYS_CHROOT included!)"
"$bin" --root "$state" run --rm --rootfs "$work/rootfs" /usr/local/bin/breakout "$marker" || true
