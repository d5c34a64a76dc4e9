/* The commit a binary was built from. scripts/build-release defines
   FAKESYSFS_COMMIT on the compiler's command line (-Xcc -DFAKESYSFS_COMMIT=...);
   a plain `swift build` leaves it out and the binary says so. */
#ifndef FAKESYSFS_BUILD_INFO_H
#define FAKESYSFS_BUILD_INFO_H

#ifndef FAKESYSFS_COMMIT
#define FAKESYSFS_COMMIT ""
#endif

static inline const char *fakesysfs_build_commit(void) { return FAKESYSFS_COMMIT; }

#endif
