/* Linux calls that Swift's Glibc module hides behind _GNU_SOURCE or cannot
   call because they are variadic. */
#ifndef FAKESYSFS_CLINUX_SHIM_H
#define FAKESYSFS_CLINUX_SHIM_H

#include <linux/sched.h>
#include <linux/prctl.h>

int unshare(int flags);
int prctl(int option, ...);

/* open(2)'s O_PATH: a handle on a place in the tree, not on a file's content. */
#define CLINUX_O_PATH 010000000

static inline int clinux_unshare(int flags) { return unshare(flags); }

/* Orphaned descendants are reparented to the caller, which reaps them, instead of to init. */
static inline int clinux_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

#endif
