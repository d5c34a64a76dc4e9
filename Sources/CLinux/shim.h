/* Linux calls that Swift's Glibc module hides behind _GNU_SOURCE or cannot
   call because they are variadic. */
#ifndef FAKESYSFS_CLINUX_SHIM_H
#define FAKESYSFS_CLINUX_SHIM_H

#include <linux/sched.h>
#include <linux/prctl.h>
#include <sys/syscall.h>

int unshare(int flags);
int setns(int fd, int nstype);
int prctl(int option, ...);
long syscall(long number, ...);

/* open(2)'s O_PATH: a handle on a place in the tree, not on a file's content. */
#define CLINUX_O_PATH 010000000

static inline int clinux_unshare(int flags) { return unshare(flags); }

static inline int clinux_setns(int fd, int flags) { return setns(fd, flags); }

/* Orphaned descendants are reparented to the caller, which reaps them, instead of to init. */
static inline int clinux_become_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }

/* The caller gets `signal` when the thread that started it exits. */
static inline int clinux_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }

/* A descriptor that polls readable once process `pid` has exited. */
static inline int clinux_pidfd_open(int pid) { return (int)syscall(SYS_pidfd_open, pid, 0); }

/* mount_setattr(2) with MOUNT_ATTR_RDONLY and AT_RECURSIVE: the mount at
   `path` and every mount below it become read-only. */
static inline int clinux_make_read_only_recursively(const char *path) {
    struct { unsigned long long attr_set, attr_clr, propagation, userns_fd; } attributes = { 0x1, 0, 0, 0 };
    return (int)syscall(SYS_mount_setattr, -100 /* AT_FDCWD */, path, 0x8000 /* AT_RECURSIVE */,
                        &attributes, sizeof attributes);
}

#endif
