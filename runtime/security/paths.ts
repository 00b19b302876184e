/**
 * Paths in /proc and /sys that a container must not read or write, as runc's
 * defaults (and Docker's) have them. /proc and /sys are not namespaced the way
 * a container's own files are: most of what they show is the whole machine.
 */

/**
 * Hidden: a file gets /dev/null bound over it (reads as empty), a directory
 * an empty read-only tmpfs (tiny-init's OP_MASK).
 *   /proc/kcore        the kernel's memory as an ELF core file
 *   /proc/keys         every key in the kernel keyring the reader may view
 *   /proc/timer_list, /proc/timer_stats, /proc/sched_debug, /proc/latency_stats
 *                      timers and tasks of the whole host: leaks host pids and names
 *   /proc/interrupts   host hardware activity, a side channel
 *   /proc/acpi, /proc/asound, /proc/scsi, /sys/firmware, /sys/devices/virtual/powercap
 *                      host hardware; powercap's energy counters were a side-channel attack (PLATYPUS)
 */
export const MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

/**
 * Read-only (bound over themselves, remounted MS_RDONLY: tiny-init's OP_READONLY).
 *   /proc/sys            sysctls; most are global, e.g. kernel.sysrq or vm.*
 *   /proc/sysrq-trigger  `echo b >` would reboot the host
 *   /proc/irq, /proc/bus, /proc/fs  host hardware and filesystem knobs
 */
export const READONLY_PATHS: readonly string[] = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];
