// The NVMeVF vendor driver.
