// The I915GVT vendor driver.
