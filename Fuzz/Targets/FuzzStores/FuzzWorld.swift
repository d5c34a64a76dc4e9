import FuzzSupport
import KernelCore
import Support
import SysfsTree
import SystemPackage

/// A model host with an mdev parent and an SR-IOV PF sharing one `PoolDriver`.
final class FuzzWorld {
    let host = Host(name: "fuzz")
    let driver = PoolDriver()
    let parent = "devices/pci0000:00/0000:00:02.0"
    let pf = "devices/pci0000:00/0000:3b:00.0"
    let totalVFs: UInt16 = 7

    /// The errnos a write to these stores may give on a real kernel.
    static let possibleErrnos: Set<Errno> = [
        .invalidArgument, .outOfRange, .fileExists, .noSpace, .resourceBusy, .noDevice,
        .noSuchFileOrDirectory, .ioError,
    ]

    init() {
        host.addDevice(DeviceSpec(address: PCIAddress(bus: 0, slot: 2, function: 0),
                                  identity: PCIIdentity(vendor: 0x8086, device: 0x591d, classCode: 0x030000),
                                  kernelDriver: "pool"), driver: driver)
        host.addDevice(DeviceSpec(address: PCIAddress(bus: 0x3b, slot: 0, function: 0),
                                  identity: PCIIdentity(vendor: 0x144d, device: 0xa824, classCode: 0x010802),
                                  kernelDriver: "nvme",
                                  sriov: SRIOVCapability(totalVFs: totalVFs, vfDevice: 0xa825, vfDriver: "nvme")),
                       driver: driver)
    }

    func perform(_ operation: UInt8, _ script: inout FuzzScript) {
        let types = ["pool-small", "pool-large"]
        switch operation % 12 {
        case 0, 1:
            write(parent + "/mdev_supported_types/" + types[Int(operation % 2)] + "/create", script.payload())
        case 2:
            // A well-formed UUID from the payload, so creation succeeds often.
            let seed = script.payload() + [UInt8](repeating: 0, count: 16)
            let hex = seed.prefix(16).map { byte in String(byte, radix: 16).count == 1 ? "0" + String(byte, radix: 16) : String(byte, radix: 16) }.joined()
            var uuid = ""
            for (index, character) in hex.enumerated() {
                if [8, 12, 16, 20].contains(index) { uuid += "-" }
                uuid.append(character)
            }
            write(parent + "/mdev_supported_types/" + types[Int(seed[0] % 2)] + "/create", Array((uuid + "\n").utf8))
        case 3, 4:
            let mdevs = host.mdevs
            guard !mdevs.isEmpty else { return }
            let pick = Int(script.next() ?? 0) % mdevs.count
            let input = operation % 12 == 3 ? script.payload() : Array("1\n".utf8)
            write("bus/mdev/devices/" + mdevs[pick].uuid.description + "/remove", input)
        case 5, 6:
            write(pf + "/sriov_numvfs", script.payload())
        case 7:
            write(pf + "/sriov_drivers_autoprobe", script.payload())
        case 8:
            let attributes = ["numa_node", "driver_override", "uevent", "enable", "reset"]
            write(parent + "/" + attributes[Int(script.next() ?? 0) % attributes.count], script.payload())
        case 9:
            let drivers = ["pool", "nvme"]
            let action = (script.next() ?? 0) % 2 == 0 ? "/bind" : "/unbind"
            write("bus/pci/drivers/" + drivers[Int(script.next() ?? 0) % 2] + action, script.payload())
        case 10:
            let vfs = host.devices.filter(\.isVirtualFunction)
            guard !vfs.isEmpty else { return }
            let vf = vfs[Int(script.next() ?? 0) % vfs.count]
            write("bus/pci/devices/" + vf.address.description + "/driver_override", script.payload())
        default:
            write(pf + "/sriov_numvfs", Array("\(Int(script.next() ?? 0) % (Int(totalVFs) + 2))".utf8))
        }
    }

    private func write(_ path: String, _ bytes: [UInt8]) {
        guard let attribute = host.root.resolve(path) as? Attribute else { return }
        do throws(Errno) {
            let count = try attribute.write(bytes)
            if count != min(bytes.count, 4096) { Fuzzer.fail("\(path): accepted \(count) of \(bytes.count) bytes") }
        } catch {
            if !FuzzWorld.possibleErrnos.contains(error) { Fuzzer.fail("\(path) ← \(bytes): errno \(error)") }
        }
    }

    // MARK: Invariants

    func checkInvariants(after operation: UInt8) {
        let mdevs = host.mdevs.map(\.uuid.description)
        if Set(mdevs).count != mdevs.count { Fuzzer.fail("duplicate mdev UUIDs \(mdevs)") }
        let listed = names("bus/mdev/devices")
        if listed != mdevs.sorted() { Fuzzer.fail("bus/mdev/devices \(listed) but the host has \(mdevs)") }
        let typed = (names(parent + "/mdev_supported_types/pool-small/devices")
            + names(parent + "/mdev_supported_types/pool-large/devices")).sorted()
        if !host.mdevs.isEmpty || !typed.isEmpty, typed != mdevs.sorted() {
            Fuzzer.fail("type devices \(typed) but the host has \(mdevs)")
        }
        let units = host.mdevs.reduce(0) { $0 + driver.units($1.type) }
        if units != driver.used { Fuzzer.fail("the driver counts \(driver.used) units for mdevs of \(units)") }
        if host.root.resolve(parent + "/mdev_supported_types") != nil {
            for (type, size) in [("pool-small", 1), ("pool-large", 2)] {
                let shown = read(parent + "/mdev_supported_types/\(type)/available_instances")
                if shown != "\((driver.capacity - units) / size)\n" {
                    Fuzzer.fail("\(type) available_instances \(shown) with \(units) of \(driver.capacity) units used")
                }
            }
        }
        checkVFs()
    }

    /// Every symlink in the tree resolves (a full walk: run once per input).
    func checkLinks() { checkLinks(host.root, depth: 0) }

    private func checkVFs() {
        let shown = read(pf + "/sriov_numvfs")
        let links = names(pf).filter { $0.hasPrefix("virtfn") }
        let vfs = host.devices.filter { $0.physicalFunction?.address.description == "0000:3b:00.0" }
        if shown != "\(links.count)\n" || vfs.count != links.count {
            Fuzzer.fail("sriov_numvfs \(shown) with links \(links) and \(vfs.count) VFs")
        }
    }

    private func checkLinks(_ directory: Directory, depth: Int) {
        guard depth < 12 else { return }
        for node in directory.list() {
            if let link = node as? Symlink {
                if host.root.resolve(String(link.path.dropFirst())) == nil {
                    Fuzzer.fail("\(link.path) -> \(link.relativeTarget) does not resolve")
                }
            } else if let child = node as? Directory {
                checkLinks(child, depth: depth + 1)
            }
        }
    }

    private func names(_ path: String) -> [String] {
        ((host.root.resolve(path) as? Directory)?.list() ?? []).map(\.name).sorted()
    }

    private func read(_ path: String) -> String {
        guard let attribute = host.root.resolve(path) as? Attribute, let bytes = try? attribute.read() else { return "?" }
        return String(decoding: bytes, as: UTF8.self)
    }
}
