/* Linux calls that Swift's Glibc module hides behind _GNU_SOURCE. */
#ifndef FAKESYSFS_CLINUX_SHIM_H
#define FAKESYSFS_CLINUX_SHIM_H

#include <linux/sched.h>

int unshare(int flags);

static inline int clinux_unshare(int flags) { return unshare(flags); }

#endif
