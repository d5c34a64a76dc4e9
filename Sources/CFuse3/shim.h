/* Swift cannot call libfuse's function-like macros or pick its versioned
   symbols, so every libfuse entry point whose name depends on FUSE_USE_VERSION
   or the libfuse release is reached through a static inline wrapper here. */
#ifndef FAKESYSFS_CFUSE3_SHIM_H
#define FAKESYSFS_CFUSE3_SHIM_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <errno.h>
#include <string.h>

static inline struct fuse_session *cfuse_session_new(struct fuse_args *args,
        const struct fuse_lowlevel_ops *ops, void *userdata)
{
    return fuse_session_new(args, ops, sizeof(*ops), userdata);
}

static inline int cfuse_session_loop_mt(struct fuse_session *se, unsigned max_threads)
{
    struct fuse_loop_config *config = fuse_loop_cfg_create();
    if (config == NULL)
        return -ENOMEM;
    fuse_loop_cfg_set_max_threads(config, max_threads);
    fuse_loop_cfg_set_clone_fd(config, 0);
    int result = fuse_session_loop_mt(se, config);
    fuse_loop_cfg_destroy(config);
    return result;
}

static inline void cfuse_log(enum fuse_log_level level, const char *message)
{
    fuse_log(level, "%s", message);
}

static inline void cfuse_want(struct fuse_conn_info *conn, unsigned capability)
{
    if (conn->capable & capability)
        conn->want |= capability;
}

static inline void cfuse_no_want(struct fuse_conn_info *conn, unsigned capability)
{
    conn->want &= ~capability;
}

static inline void cfuse_set_open_flags(struct fuse_file_info *fi, int direct_io, int noflush)
{
    fi->direct_io = direct_io;
    fi->noflush = noflush;
    fi->keep_cache = 0;
}

/* A directory listing the kernel may keep until told otherwise (FOPEN_CACHE_DIR, FOPEN_KEEP_CACHE). */
static inline void cfuse_set_cached_directory(struct fuse_file_info *fi)
{
    fi->cache_readdir = 1;
    fi->keep_cache = 1;
}

static inline int cfuse_file_flags(const struct fuse_file_info *fi) { return fi->flags; }
static inline uint64_t cfuse_file_handle(const struct fuse_file_info *fi) { return fi->fh; }
static inline void cfuse_set_file_handle(struct fuse_file_info *fi, uint64_t fh) { fi->fh = fh; }

#endif
