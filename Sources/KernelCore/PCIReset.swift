import SystemPackage
import SysfsTree

/// `reset` and `reset_method` (`drivers/pci/pci.c`, `pci-sysfs.c`). Every
/// simulated function advertises Function Level Reset in its Device
/// Capabilities, so `flr` is its one method (none sits alone below a bridge
/// for a bus reset, and none has a PM reset: their PMCSR says NoSoftRst+).
extension PCIDevice {
    /// The methods of `pci_reset_fn_methods`, in the kernel's order of preference.
    static let resetMethodNames = ["device_specific", "acpi", "flr", "af_flr", "pm", "bus", "cxl_bus"]
    static let supportedResetMethods = ["flr"]

    func resetAttributes(in directory: Directory) -> [Node] {
        [directory.makeAttribute("reset", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.storeReset(input)
         }),
         directory.makeAttribute("reset_method", mode: 0o644,
                                 show: { [weak self] () throws(Errno) in try self?.resetMethodText() ?? "" },
                                 store: { [weak self] input throws(Errno) in try self?.storeResetMethod(input) })]
    }

    private func resetMethodText() throws(Errno) -> String {
        try locked { _ in resetMethods.isEmpty ? "" : resetMethods.joined(separator: " ") + "\n" }
    }

    /// `reset_store`: kstrtoul (EINVAL), only 1 (EINVAL), then `pci_reset_function`,
    /// which finds no method once the user disabled them all (ENOTTY).
    private func storeReset(_ input: StoreInput) throws(Errno) {
        guard let value = try? input.unsignedInteger(), value == 1 else { throw .invalidArgument }
        try locked { _ throws(Errno) in
            guard !resetMethods.isEmpty else { throw .inappropriateIOCTLForDevice }
        }
    }

    /// `reset_method_store`: empty disables every method, `default` brings back
    /// the probed ones, else space-separated names, each known and supported (EINVAL).
    private func storeResetMethod(_ input: StoreInput) throws(Errno) {
        if input.streq("") {
            try locked { _ in resetMethods = [] }
            return
        }
        if input.streq("default") {
            try locked { _ in resetMethods = PCIDevice.supportedResetMethods }
            return
        }
        var chosen: [String] = []
        for word in input.text.split(separator: " ", omittingEmptySubsequences: true) {
            let name = word.trimmingCharacters(in: " \n\t")
            if name.isEmpty { continue }
            guard PCIDevice.resetMethodNames.contains(name), PCIDevice.supportedResetMethods.contains(name),
                  chosen.count < PCIDevice.resetMethodNames.count else { throw .invalidArgument }
            chosen.append(name)
        }
        try locked { _ in resetMethods = chosen }
    }
}

private extension Substring {
    /// `strim`: without leading and trailing whitespace.
    func trimmingCharacters(in set: String) -> String {
        let isSpace: (Character) -> Bool = { set.contains($0) }
        return String(drop(while: isSpace).reversed().drop(while: isSpace).reversed())
    }
}
