/* libFuzzer's driver entry point, linked in by -sanitize=fuzzer. SwiftPM gives
   every executable its own main (libFuzzer's is overridden), so each target's
   main calls the driver with its LLVMFuzzerTestOneInput. */
#ifndef FAKESYSFS_CFUZZER_H
#define FAKESYSFS_CFUZZER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
