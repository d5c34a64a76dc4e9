import Support
import SystemPackage
import SysfsTree

/// The PCI bus's own state behind `/sys/bus/pci` (guarded by the host's lock).
struct PCIBusState {
    /// `drivers_autoprobe`: whether a function that appears is probed at once.
    var autoprobe = true
    /// The mdev bus's `drivers_autoprobe`; mdevs are bound by `mdev_device_create`
    /// itself, so it only shows what was written.
    var mdevAutoprobe = true
    /// `resource_alignment`, kept as written up to its first newline.
    var resourceAlignment: [UInt8]?
    /// Each driver's IDs added through `new_id`, by driver name.
    var dynamicIDs: [String: [PCIDynamicID]] = [:]
    /// Functions taken away through their `remove` file: the hardware is still
    /// there, so `rescan` finds them again.
    var removed: [PCIAddress: RemovedFunction] = [:]
}

struct RemovedFunction {
    let spec: DeviceSpec
    let driver: (any VendorDriver)?
}

/// One `new_id` line: `vendor device [subvendor subdevice [class class_mask [driver_data]]]`.
struct PCIDynamicID: Equatable {
    static let any: UInt32 = 0xffff_ffff

    var vendor: UInt32
    var device: UInt32
    var subvendor = PCIDynamicID.any
    var subdevice = PCIDynamicID.any
    var classCode: UInt32 = 0
    var classMask: UInt32 = 0

    /// `pci_match_one_device`.
    func matches(_ identity: PCIIdentity) -> Bool {
        (vendor == Self.any || vendor == UInt32(identity.vendor))
            && (device == Self.any || device == UInt32(identity.device))
            && (subvendor == Self.any || subvendor == UInt32(identity.subsystemVendor))
            && (subdevice == Self.any || subdevice == UInt32(identity.subsystemDevice))
            && (UInt32(identity.classCode) ^ classCode) & classMask == 0
    }

    /// `sscanf(buf, "%x %x %x %x %x %x %lx")`: the hex fields read before the
    /// first that does not parse; fewer than two is EINVAL.
    static func scan(_ input: StoreInput) -> [UInt64] {
        var fields: [UInt64] = []
        for word in input.cString.split(whereSeparator: { $0 == 0x20 || $0 == 0x0a || $0 == 0x09 }) {
            var digits = word[...]
            if digits.count > 2, digits.first == UInt8(ascii: "0"), digits.dropFirst().first.map({ $0 | 0x20 }) == UInt8(ascii: "x") {
                digits = digits.dropFirst(2)
            }
            var value: UInt64 = 0
            var parsed = 0
            for byte in digits {
                guard let digit = hexDigit(byte) else { break }
                value = value &* 16 &+ UInt64(digit)
                parsed += 1
            }
            guard parsed > 0 else { break }
            fields.append(value)
            if parsed < digits.count { break }
        }
        return fields
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

/// Drivers whose ID tables match only through `driver_override`
/// (`PCI_DRIVER_OVERRIDE_DEVICE_VFIO`): vfio-pci and its variant drivers.
let overrideOnlyDrivers: Set<String> = [
    "vfio-pci", "qat_vfio_pci", "mlx5_vfio_pci", "hisi_acc_vfio_pci", "pds_vfio_pci",
    "virtio_vfio_pci", "nvgrace_gpu_vfio_pci",
]

/// Driver binding on the PCI bus: `drivers/base/bus.c`, `dd.c` and
/// `drivers/pci/pci-driver.c` (Linux 6.12).
extension Host {
    // MARK: Matching and probing

    /// `pci_match_device`: only the override driver while one is set (it always
    /// matches); else the driver's dynamic IDs, then its static table: the
    /// driver the function booted with, or its PF's VF driver unless that
    /// driver's table is override-only.
    func driverMatchesLocked(_ driver: String, _ device: PCIDevice) -> Bool {
        if let override = device.driverOverride { return override == Array(driver.utf8) }
        if pciBus.dynamicIDs[driver]?.contains(where: { $0.matches(device.identity) }) == true { return true }
        if driver == device.spec.kernelDriver { return true }
        if let vfDriver = device.physicalFunction?.spec.sriov?.vfDriver, driver == vfDriver {
            return !overrideOnlyDrivers.contains(vfDriver)
        }
        return false
    }

    /// `pci_device_can_probe`: a VF whose PF turned `sriov_drivers_autoprobe`
    /// off probes only through `driver_override`.
    func canProbeLocked(_ device: PCIDevice) -> Bool {
        guard let pf = device.physicalFunction, device.isVirtualFunction else { return true }
        return pf.sriov?.autoprobe ?? true || device.driverOverride != nil
    }

    /// The registered drivers, in the order the bus walks them.
    var registeredDriversLocked: [String] {
        pciDrivers.list().map(\.name).sorted()
    }

    /// `device_attach`: binds the first registered driver that matches and
    /// probes; a function that is bound, or that nothing takes, stays as it is.
    func probeLocked(_ device: PCIDevice) {
        guard device.kernelDriver == nil, canProbeLocked(device) else { return }
        guard let driver = registeredDriversLocked.first(where: { driverMatchesLocked($0, device) }) else { return }
        attachLocked(device, to: driver)
    }

    /// `driver_bound`: the links both ways, then the `bind` uevent (with `DRIVER=`).
    func attachLocked(_ device: PCIDevice, to driver: String) {
        bind(device, to: driver)
        device.enableCount += 1
        emit(UEvent(action: .bind, devpath: device.devpath, subsystem: "pci", properties: device.ueventEnvironment))
    }

    /// `__device_release_driver`: the links go, then the `unbind` uevent (no `DRIVER=` any more).
    func detachLocked(_ device: PCIDevice) {
        guard let driver = device.kernelDriver else { return }
        unbind(device, from: driver)
        device.enableCount = max(0, device.enableCount - 1)
        emit(UEvent(action: .unbind, devpath: device.devpath, subsystem: "pci", properties: device.ueventEnvironment))
    }

    private func deviceLocked(named input: StoreInput) -> PCIDevice? {
        devicesByAddress.values.first { input.streq($0.address.description) }
    }

    // MARK: Bus files

    /// `/sys/bus/pci`'s own attributes.
    func buildPCIBusFiles(_ pci: Directory) {
        autoprobeFile(in: pci, flag: \.autoprobe)
        pci.attribute("drivers_probe", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.driversProbeStore(input)
        })
        pci.attribute("rescan", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.rescanStore(input, bus: nil)
        })
        pci.insert(pci.makeAttribute("resource_alignment", mode: 0o644,
                                     showBytes: { [weak self] () throws(Errno) in
                                         guard let self else { throw .noDevice }
                                         return lock.withLock { pciBus.resourceAlignment.map { $0 + [0x0a] } ?? [] }
                                     },
                                     store: { [weak self] input throws(Errno) in try self?.resourceAlignmentStore(input) }))
        syntheticUEventFile(in: pci, devpath: "/bus/pci", subsystem: "bus")
    }

    /// A bus's `drivers_autoprobe` (`drivers_autoprobe_store`): '0' turns it off, anything else on.
    func autoprobeFile(in bus: Directory, flag: WritableKeyPath<PCIBusState, Bool> & Sendable) {
        bus.attribute("drivers_autoprobe", mode: 0o644,
                      show: { [weak self] () throws(Errno) in
                          guard let self else { throw .noDevice }
                          return lock.withLock { pciBus[keyPath: flag] ? "1\n" : "0\n" }
                      },
                      store: { [weak self] input throws(Errno) in
                          guard let self else { throw .noDevice }
                          lock.withLock { pciBus[keyPath: flag] = input.bytes.first != UInt8(ascii: "0") }
                      })
    }

    /// A bus's or driver's write-only `uevent` (`bus_uevent_store`, the driver's
    /// `uevent_store`): the event `kobject_synth_uevent` parses, sent for the kobject itself.
    func syntheticUEventFile(in directory: Directory, devpath: String, subsystem: String) {
        directory.attribute("uevent", mode: 0o200, store: { [weak self] input throws(Errno) in
            let request = try SyntheticUEvent(parsing: input)
            self?.emit(UEvent(action: request.action, devpath: devpath, subsystem: subsystem, properties: request.properties))
        })
    }

    /// `drivers_probe_store`: ENODEV for a name no function has; otherwise the
    /// function is probed, and the write succeeds whether or not a driver took it.
    private func driversProbeStore(_ input: StoreInput) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let device = deviceLocked(named: input) else { throw .noDevice }
            probeLocked(device)
        }
    }

    /// `rescan_store` (bus) and `dev_rescan_store` (a function's bus): kstrtoul;
    /// non-zero finds again every function taken away through `remove`.
    func rescanStore(_ input: StoreInput, bus: UInt8?) throws(Errno) {
        guard let value = try? input.unsignedInteger() else { throw .invalidArgument }
        guard value != 0 else { return }
        lock.withLock {
            let found = pciBus.removed.values
                .filter { bus == nil || $0.spec.address.bus == bus }
                .sorted { $0.spec.address < $1.spec.address }
            for function in found {
                pciBus.removed[function.spec.address] = nil
                addDevice(function.spec, driver: function.driver)
            }
            if !found.isEmpty { noteStateChange() }
        }
    }

    /// `resource_alignment_store`: PAGE_SIZE - 1 bytes or more is EINVAL; the
    /// value ends at its first newline (or NUL), and an empty one clears it.
    private func resourceAlignmentStore(_ input: StoreInput) throws(Errno) {
        guard input.count < Attribute.pageSize - 1 else { throw .invalidArgument }
        var value = input.cString
        if let newline = value.firstIndex(of: 0x0a) { value = value[..<newline] }
        lock.withLock { pciBus.resourceAlignment = value.isEmpty ? nil : Array(value) }
    }

    /// Hot-unplug through the function's `remove` file; `rescan` brings it back.
    func removeThroughSysfs(_ device: PCIDevice) {
        lock.withLock {
            guard devicesByAddress[device.address] === device else { return }
            if !device.isVirtualFunction {
                var spec = device.spec
                spec.initialVFs = 0
                pciBus.removed[device.address] = RemovedFunction(spec: spec, driver: device.driver)
            }
            removeDevice(device)
        }
    }

    // MARK: Driver files

    /// `/sys/bus/pci/drivers/<name>/`: a registered driver.
    func pciDriverDirectory(_ driver: String) -> Directory {
        if let existing = pciDrivers.child(driver) as? Directory { return existing }
        let directory = pciDrivers.directory(driver)
        syntheticUEventFile(in: directory, devpath: "/bus/pci/drivers/" + driver, subsystem: "drivers")
        directory.attribute("new_id", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.newIDStore(input, driver: driver)
        })
        directory.attribute("remove_id", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.removeIDStore(input, driver: driver)
        })
        directory.attribute("bind", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.bindStore(input, driver: driver)
        })
        directory.attribute("unbind", mode: 0o200, store: { [weak self] input throws(Errno) in
            try self?.unbindStore(input, driver: driver)
        })
        return directory
    }

    /// `bind_store`: ENODEV unless the named function exists and the driver
    /// matches it; EBUSY if it is bound; ENODEV when the probe refuses it
    /// (`pci_device_can_probe`).
    private func bindStore(_ input: StoreInput, driver: String) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let device = deviceLocked(named: input), driverMatchesLocked(driver, device) else { throw .noDevice }
            guard device.kernelDriver == nil else { throw .resourceBusy }
            guard canProbeLocked(device) else { throw .noDevice }
            attachLocked(device, to: driver)
            noteStateChange()
        }
    }

    /// `unbind_store`: only a function bound to this driver; otherwise ENODEV.
    private func unbindStore(_ input: StoreInput, driver: String) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let device = deviceLocked(named: input), device.kernelDriver == driver else { throw .noDevice }
            detachLocked(device)
            noteStateChange()
        }
    }

    /// `new_id_store`: fewer than two hex fields is EINVAL; an ID the driver
    /// already matches (with fewer than seven fields) is EEXIST; driver_data
    /// must be 0, the only value the simulated tables carry (EINVAL). The new
    /// ID then binds every unbound function it matches (`driver_attach`).
    private func newIDStore(_ input: StoreInput, driver: String) throws(Errno) {
        let fields = PCIDynamicID.scan(input)
        guard fields.count >= 2 else { throw .invalidArgument }
        let field = { (index: Int, fallback: UInt32) -> UInt32 in
            index < fields.count ? UInt32(truncatingIfNeeded: fields[index]) : fallback
        }
        let id = PCIDynamicID(vendor: field(0, 0), device: field(1, 0),
                              subvendor: field(2, PCIDynamicID.any), subdevice: field(3, PCIDynamicID.any),
                              classCode: field(4, 0), classMask: field(5, 0))
        try lock.withLock { () throws(Errno) in
            if fields.count != 7 {
                let probe = PCIIdentity(vendor: UInt16(truncatingIfNeeded: id.vendor),
                                        device: UInt16(truncatingIfNeeded: id.device),
                                        subsystemVendor: UInt16(truncatingIfNeeded: id.subvendor),
                                        subsystemDevice: UInt16(truncatingIfNeeded: id.subdevice),
                                        classCode: id.classCode & 0xff_ffff)
                if pciBus.dynamicIDs[driver]?.contains(where: { $0.matches(probe) }) == true { throw .fileExists }
            }
            if fields.count == 7, fields[6] != 0 { throw .invalidArgument }
            pciBus.dynamicIDs[driver, default: []].append(id)
            for device in devicesByAddress.values.sorted(by: { $0.address < $1.address })
            where device.kernelDriver == nil && driverMatchesLocked(driver, device) && canProbeLocked(device) {
                attachLocked(device, to: driver)
            }
            noteStateChange()
        }
    }

    /// `remove_id_store`: fewer than two hex fields is EINVAL; the first
    /// dynamic ID that matches goes; none is ENODEV.
    private func removeIDStore(_ input: StoreInput, driver: String) throws(Errno) {
        let fields = PCIDynamicID.scan(input)
        guard fields.count >= 2 else { throw .invalidArgument }
        let value = { (index: Int) -> UInt32? in index < fields.count ? UInt32(truncatingIfNeeded: fields[index]) : nil }
        try lock.withLock { () throws(Errno) in
            guard let index = pciBus.dynamicIDs[driver]?.firstIndex(where: { id in
                id.vendor == value(0) && id.device == value(1)
                    && (value(2).map { $0 == PCIDynamicID.any || id.subvendor == $0 } ?? true)
                    && (value(3).map { $0 == PCIDynamicID.any || id.subdevice == $0 } ?? true)
                    && (id.classCode ^ (value(4) ?? 0)) & (value(5) ?? 0) == 0
            }) else { throw .noDevice }
            pciBus.dynamicIDs[driver]?.remove(at: index)
        }
    }
}
