/// Paths in the tree `fakesysfs mount` serves without a scenario.
enum DefaultTree {
    static let deviceNames = ["0000:00:02.0", "0000:3b:00.0", "0000:f3:00.0"]
    /// The Intel GPU, as tools reach it: through the bus link.
    static let gpu = "/bus/pci/devices/0000:00:02.0"
    /// The same device's directory.
    static let gpuDirectory = "/devices/pci0000:00/0000:00:02.0"
    /// The NVMe SR-IOV PF, bound to `nvme`.
    static let nvme = "/bus/pci/devices/0000:3b:00.0"
}
