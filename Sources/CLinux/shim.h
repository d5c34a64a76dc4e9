/* Linux calls that Swift's Glibc module hides behind _GNU_SOURCE (unshare,
   setns) or makes unusable by being variadic (prctl). */
#ifndef FAKESYSFS_CLINUX_SHIM_H
#define FAKESYSFS_CLINUX_SHIM_H

#include <linux/sched.h>
#include <linux/prctl.h>

int unshare(int flags);
int setns(int fd, int nstype);
int prctl(int option, ...);

static inline int clinux_unshare(int flags) { return unshare(flags); }
static inline int clinux_setns(int fd, int nstype) { return setns(fd, nstype); }

/* Orphaned descendants are reparented to the caller instead of to init. */
static inline int clinux_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

#endif
