import KernelCore
