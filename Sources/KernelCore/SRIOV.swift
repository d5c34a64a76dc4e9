import SystemPackage
import SysfsTree

/// A PF's SR-IOV state (guarded by the host's lock).
struct SRIOVState {
    let capability: SRIOVCapability
    var numVFs = 0
    var autoprobe = true
    var virtualFunctions: [PCIDevice] = []

    init(capability: SRIOVCapability) { self.capability = capability }
}

/// The PF attributes of `drivers/pci/iov.c`.
extension PCIDevice {
    func sriovAttributes(in directory: Directory) -> [Node] {
        guard let capability = spec.sriov, !isVirtualFunction else { return [] }
        return [
            directory.makeAttribute("sriov_totalvfs", mode: 0o444) { "\(capability.totalVFs)\n" },
            directory.makeAttribute("sriov_offset", mode: 0o444) { "\(capability.offset)\n" },
            directory.makeAttribute("sriov_stride", mode: 0o444) { "\(capability.stride)\n" },
            directory.makeAttribute("sriov_vf_device", mode: 0o444) { String(capability.vfDevice, radix: 16) + "\n" },
            directory.makeAttribute("sriov_numvfs", mode: 0o644,
                                    show: { [weak self] () throws(Errno) in
                                        try self?.locked { _ in "\(self?.sriov?.numVFs ?? 0)\n" } ?? "0\n"
                                    },
                                    store: { [weak self] input throws(Errno) in try self?.storeNumVFs(input) }),
            directory.makeAttribute("sriov_drivers_autoprobe", mode: 0o644,
                                    show: { [weak self] () throws(Errno) in
                                        try self?.locked { _ in (self?.sriov?.autoprobe ?? true) ? "1\n" : "0\n" } ?? "1\n"
                                    },
                                    store: { [weak self] input throws(Errno) in
                                        let value = try input.boolean()
                                        try self?.locked { host in
                                            self?.sriov?.autoprobe = value
                                            host.noteStateChange()
                                        }
                                    }),
        ]
    }

    /// `sriov_numvfs_store`, checks in the kernel's order: EINVAL for anything
    /// `kstrtou16` refuses (current kernels fold ERANGE into it), ERANGE above
    /// TotalVFs, nothing for the current value, ENOENT without a bound driver,
    /// EBUSY from one non-zero count to another, then the driver's own answer.
    private func storeNumVFs(_ input: StoreInput) throws(Errno) {
        let requested: UInt64
        do { requested = try input.unsignedInteger(max: UInt64(UInt16.max)) } catch { throw .invalidArgument }
        try locked { host throws(Errno) in
            guard let state = sriov else { throw .ioError }
            guard requested <= UInt64(state.capability.totalVFs) else { throw .outOfRange }
            let count = Int(requested)
            if count == state.numVFs { return }
            guard kernelDriver != nil else { throw .noSuchFileOrDirectory }
            if count == 0 {
                try host.disableVFs(on: self)
                host.noteStateChange()
                return
            }
            guard state.numVFs == 0 else {
                host.log("\(address): \(state.numVFs) VFs already enabled. Disable before enabling \(count) VFs")
                throw .resourceBusy
            }
            let enabled = min(driver?.numVFs(enabling: count, on: self) ?? count, Int(state.capability.totalVFs))
            try host.enableVFs(enabled, on: self)
            if enabled != count { host.log("\(address): \(count) VFs requested; only \(enabled) enabled") }
            host.noteStateChange()
        }
    }
}

extension Host {
    /// Creates `count` VFs at the addresses offset and stride give, each in its own IOMMU group.
    func enableVFs(_ count: Int, on pf: PCIDevice) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let state = pf.sriov else { throw .ioError }
            let capability = state.capability
            let addresses = (0..<count).map {
                pf.address.advanced(by: Int(capability.offset) + Int(capability.stride) * $0)
            }
            guard addresses.allSatisfy({ $0 != nil }) else { throw .noMemory }
            try pf.driver?.enableVFs(count, on: pf)
            var identity = pf.identity
            identity.device = capability.vfDevice
            for address in addresses.compactMap({ $0 }) {
                var spec = DeviceSpec(address: address, identity: identity, kernelDriver: nil,
                                      bars: Array(pf.spec.bars.prefix(1)))
                spec.link = pf.spec.link
                let vf = addDevice(spec, driver: pf.driver, physicalFunction: pf)
                pf.sriov?.virtualFunctions.append(vf)
            }
            pf.sriov?.numVFs = count
            pf.config.setNumVFs(UInt16(truncatingIfNeeded: count))
            emit(UEvent(action: .change, devpath: pf.directory.path, subsystem: "pci", properties: pf.ueventEnvironment))
        }
    }

    /// Removes every VF of `pf`, first to last, as `sriov_del_vfs` does; each
    /// `virtfn<N>` link goes before its VF (`pci_iov_remove_virtfn`), so no
    /// reader ever finds it dangling. No uevent of the PF's own follows.
    func disableVFs(on pf: PCIDevice) throws(Errno) {
        lock.withLock {
            let functions = pf.sriov?.virtualFunctions ?? []
            for (index, vf) in functions.enumerated() {
                pf.directory.remove("virtfn\(index)")
                removeDevice(vf)
            }
            pf.sriov?.virtualFunctions = []
            pf.sriov?.numVFs = 0
            pf.config.setNumVFs(0)
            pf.driver?.disabledVFs(on: pf)
        }
    }

    /// `virtfn<N>` in the PF and `physfn` in the VF.
    func linkVirtualFunction(_ vf: PCIDevice, to pf: PCIDevice) {
        let index = pf.sriov?.virtualFunctions.count ?? 0
        pf.directory.symlink("virtfn\(index)", to: vf.directory.path)
        vf.directory.symlink("physfn", to: pf.directory.path)
    }
}
