import Support
import SystemPackage
import SysfsTree

/// The attributes `pci-sysfs.c` gives every PCI function, in its formats.
extension PCIDevice {
    func standardAttributes(in directory: Directory) -> [Node] {
        let id = identity
        var nodes: [Node] = [
            directory.makeAttribute("vendor", mode: 0o444, value: "0x" + hex(id.vendor, 4) + "\n"),
            directory.makeAttribute("device", mode: 0o444, value: "0x" + hex(id.device, 4) + "\n"),
            directory.makeAttribute("subsystem_vendor", mode: 0o444, value: "0x" + hex(id.subsystemVendor, 4) + "\n"),
            directory.makeAttribute("subsystem_device", mode: 0o444, value: "0x" + hex(id.subsystemDevice, 4) + "\n"),
            directory.makeAttribute("class", mode: 0o444, value: "0x" + hex(id.classCode, 6) + "\n"),
            directory.makeAttribute("revision", mode: 0o444, value: "0x" + hex(id.revision, 2) + "\n"),
            directory.makeAttribute("irq", mode: 0o444) { [irq] in "\(irq)\n" },
            directory.makeAttribute("modalias", mode: 0o444) { id.modalias + "\n" },
            directory.makeAttribute("resource", mode: 0o444) { [spec] in Self.resourceText(spec) },
            directory.makeAttribute("local_cpus", mode: 0o444) { [weak self] () throws(Errno) in
                try self?.localCPUs().mapText ?? "\n"
            },
            directory.makeAttribute("local_cpulist", mode: 0o444) { [weak self] () throws(Errno) in
                try self?.localCPUs().listText ?? "\n"
            },
            directory.makeAttribute("dma_mask_bits", mode: 0o444) { "64\n" },
            directory.makeAttribute("consistent_dma_mask_bits", mode: 0o444) { "64\n" },
            directory.makeAttribute("msi_bus", mode: 0o644, show: { "1\n" }),
            directory.makeAttribute("broken_parity_status", mode: 0o644, show: { "0\n" }),
            directory.makeAttribute("d3cold_allowed", mode: 0o644, show: { "1\n" }),
            directory.makeAttribute("ari_enabled", mode: 0o444) { "0\n" },
            // Read from Link Status and Link Capabilities: a VF's Link Status is reserved (0).
            directory.makeAttribute("current_link_speed", mode: 0o444,
                                    value: ((isVirtualFunction ? nil : spec.link)?.speedText ?? PCIeLink.unknownSpeed) + "\n"),
            directory.makeAttribute("current_link_width", mode: 0o444,
                                    value: "\((isVirtualFunction ? nil : spec.link)?.width ?? 0)\n"),
            directory.makeAttribute("max_link_speed", mode: 0o444, value: (spec.link?.speedText ?? PCIeLink.unknownSpeed) + "\n"),
            directory.makeAttribute("max_link_width", mode: 0o444, value: "\(spec.link?.width ?? 0)\n"),
            directory.makeAttribute("numa_node", mode: 0o644,
                                    show: { [weak self] () throws(Errno) in try self?.numaNodeText() ?? "-1\n" },
                                    store: { [weak self] input throws(Errno) in try self?.storeNumaNode(input) }),
            directory.makeAttribute("enable", mode: 0o644,
                                    show: { [weak self] () throws(Errno) in try self?.enableText() ?? "0\n" },
                                    store: { [weak self] input throws(Errno) in try self?.storeEnable(input) }),
            directory.makeAttribute("driver_override", mode: 0o644,
                                    showBytes: { [weak self] () throws(Errno) in
                                        try self?.driverOverrideText() ?? Array("(null)\n".utf8)
                                    },
                                    store: { [weak self] input throws(Errno) in try self?.storeDriverOverride(input) }),
            directory.makeAttribute("uevent", mode: 0o644,
                                    show: { [weak self] () throws(Errno) in try self?.ueventText() ?? "" },
                                    store: { [weak self] input throws(Errno) in try self?.storeUEvent(input) }),
            directory.makeBinaryAttribute("config", mode: 0o644, size: config.size, unprivilegedSize: 64,
                                          read: { [config] offset, count throws(Errno) in config.read(offset: offset, count: count) },
                                          write: { [config] offset, bytes throws(Errno) in config.write(offset: offset, bytes: bytes) }),
            directory.makeSymlink("subsystem", to: "/bus/pci"),
            directory.makeSymlink("iommu_group", to: "/kernel/iommu_groups/\(iommuGroup)"),
        ]
        if !isVirtualFunction {
            nodes.append(directory.makeAttribute("remove", mode: 0o220, store: { [weak self] input throws(Errno) in
                try self?.storeRemove(input)
            }))
            nodes.append(directory.makeAttribute("rescan", mode: 0o200, store: { [weak self] input throws(Errno) in
                // `dev_rescan_store`: kstrtoul; non-zero finds again what `remove` took from the bus.
                guard let self else { throw .noDevice }
                try self.locked { host throws(Errno) in try host.rescanStore(input, bus: self.address.bus) }
            }))
        }
        if id.isVGA {
            nodes.append(directory.makeAttribute("boot_vga", mode: 0o444) { "1\n" })
        }
        for (index, bar) in spec.bars.enumerated() where bar.size > 0 && !bar.isIO {
            // A memory BAR is only mmapped: with no read op, `sysfs_kf_bin_read` answers EIO.
            nodes.append(directory.makeBinaryAttribute("resource\(index * (bar.is64Bit ? 2 : 1))", mode: 0o600,
                                                       size: Int(clamping: bar.size)))
        }
        return nodes
    }

    /// VFs have no INTx (`irq` 0 until MSI); other functions the line their pin routes to.
    var irq: Int { isVirtualFunction ? 0 : 16 + Int(address.devfn % 16) + Int(address.bus) % 64 }

    /// `local_cpus_show`: the CPUs of the device's node, or every online CPU without one.
    private func localCPUs() throws(Errno) -> CPUMask {
        try locked { host in host.system.localCPUs(ofNode: numaNode) }
    }

    /// One line per resource: six BAR slots, the ROM, then the six SR-IOV BARs (`CONFIG_PCI_IOV`).
    static func resourceText(_ spec: DeviceSpec) -> String {
        var lines: [String] = []
        for (bar, start) in BAR.layout(spec.bars, at: spec.address) where lines.count < 6 {
            lines.append("0x" + hex(start, 16) + " 0x" + hex(start + bar.size - 1, 16) + " 0x" + hex(bar.resourceFlags, 16))
            if bar.is64Bit && !bar.isIO { lines.append(zeroResource) }
        }
        lines = Array(lines.prefix(6))
        while lines.count < 13 { lines.append(zeroResource) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static let zeroResource = "0x0000000000000000 0x0000000000000000 0x0000000000000000"

    // MARK: Stores, in pci-sysfs.c's order of checks

    private func numaNodeText() throws(Errno) -> String {
        try locked { _ in "\(numaNode)\n" }
    }

    /// `numa_node_store`: anything kstrtoint refuses (overflow included) is
    /// EINVAL, then only -1 or an online node.
    private func storeNumaNode(_ input: StoreInput) throws(Errno) {
        guard let node = try? KernelParsing.signedInteger(input.cString) else { throw .invalidArgument }
        try locked { host throws(Errno) in
            guard node == -1 || (node >= 0 && Int(node) < host.system.topology.nodeCount) else { throw .invalidArgument }
            numaNode = Int(node)
        }
    }

    private func enableText() throws(Errno) -> String {
        try locked { _ in "\(enableCount)\n" }
    }

    /// `enable_store`: kstrtoul (any failure EINVAL), EBUSY while a driver is
    /// bound; non-zero enables once more, zero disables, EIO if not enabled.
    private func storeEnable(_ input: StoreInput) throws(Errno) {
        guard let number = try? input.unsignedInteger() else { throw .invalidArgument }
        let value = number != 0
        try locked { _ throws(Errno) in
            if kernelDriver != nil {
                throw .resourceBusy
            } else if value {
                enableCount += 1
            } else if enableCount > 0 {
                enableCount -= 1
            } else {
                throw .ioError
            }
        }
    }

    private func driverOverrideText() throws(Errno) -> [UInt8] {
        try locked { _ in (driverOverride ?? Array("(null)".utf8)) + [UInt8(ascii: "\n")] }
    }

    /// `driver_set_override`: PAGE_SIZE - 1 bytes or more is EINVAL; the value
    /// ends at the first NUL or newline and is kept byte for byte; empty clears.
    private func storeDriverOverride(_ input: StoreInput) throws(Errno) {
        guard input.count < Attribute.pageSize - 1 else { throw .invalidArgument }
        var value = input.cString
        if let newline = value.firstIndex(of: UInt8(ascii: "\n")) { value = value[..<newline] }
        try locked { _ in driverOverride = value.isEmpty ? nil : Array(value) }
    }

    func ueventText() throws(Errno) -> String {
        try locked { _ in
            var lines: [String] = []
            if let kernelDriver { lines.append("DRIVER=" + kernelDriver) }
            lines += ueventProperties.map { $0.0 + "=" + $0.1 }
            return lines.map { $0 + "\n" }.joined()
        }
    }

    /// `uevent_store` synthesizes an event (`kobject_synth_uevent`); anything
    /// it cannot parse is EINVAL.
    private func storeUEvent(_ input: StoreInput) throws(Errno) {
        let request = try SyntheticUEvent(parsing: input)
        try locked { host in
            host.emit(UEvent(action: request.action, devpath: directory.path, subsystem: "pci",
                             properties: request.properties + ueventEnvironment))
        }
    }

    /// `remove_store`: kstrtoul (any failure EINVAL); non-zero hot-unplugs the function.
    private func storeRemove(_ input: StoreInput) throws(Errno) {
        guard let remove = try? input.unsignedInteger() else { throw .invalidArgument }
        guard remove != 0 else { return }
        try locked { host in host.removeThroughSysfs(self) }
    }
}
