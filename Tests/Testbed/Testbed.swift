import Compatibility
import DriverCatalog
import KernelCore
import SystemPackage
import SysfsTree

/// A simulated host for tests at every level, built in one line from the
/// devices it holds: `try Testbed(.gvt(), .nvme(vfs: 2))`.
///
/// Paths are absolute, as a client sees them below `/sys`:
/// `/bus/pci/devices/0000:00:02.0/mdev_supported_types`.
public final class Testbed: Sendable {
    public let host: Host
    /// The host's kernel log, every line in order.
    public let log: LogLines
    /// Every uevent the host sent, in order.
    public let uevents: UEventLog
    private let context: HostContext

    /// Where `.gvt()`, `.nvme()` and `.qat()` put their physical functions.
    public static let gvt = "0000:00:02.0"
    public static let nvme = "0000:3b:00.0"
    public static let qat = "0000:f3:00.0"

    /// A host named `name` holding `devices`, each made by its driver.
    public convenience init(_ devices: Device..., name: String = "test",
                            flavours: Set<InterfaceFlavour> = Set(InterfaceFlavour.allCases)) throws {
        try self.init(devices: devices, name: name, flavours: flavours)
    }

    public convenience init(devices: [Device], name: String = "test",
                            flavours: Set<InterfaceFlavour> = Set(InterfaceFlavour.allCases)) throws {
        self.init(name: name, flavours: flavours)
        for device in devices { try add(device) }
    }

    /// A host with no devices yet.
    public init(name: String = "test", flavours: Set<InterfaceFlavour> = Set(InterfaceFlavour.allCases)) {
        let log = LogLines()
        self.log = log
        uevents = UEventLog()
        context = HostContext(flavours: flavours)
        host = Host(name: name, log: { log.append($0) })
        host.setUEventSink(uevents)
    }

    /// Adds `device`, made by its driver for this host.
    public func add(_ device: Device) throws {
        guard let address = PCIAddress(device.address) else {
            throw SettingsError(key: "address", reason: "'\(device.address)' is no PCI address")
        }
        let made = try device.make(address, context)
        host.addDevice(made.spec, driver: made.driver)
    }

    /// Adds a device described by hand, driven by `driver` (which several devices may share).
    public func add(_ spec: DeviceSpec, driver: any VendorDriver) {
        host.addDevice(spec, driver: driver)
    }

    /// The default scenario's host (the one `fakesysfs mount` shows without a scenario).
    public static func defaultHost() throws -> Testbed {
        let log = LogLines()
        let bed = Testbed(host: try DriverCatalog.defaultHost(log: { log.append($0) }), log: log)
        bed.host.setUEventSink(bed.uevents)
        return bed
    }

    /// A bed over a host built elsewhere, such as a live system's, whose
    /// uevents keep going where they went: `log` holds what the host's log
    /// function gave it, and `uevents` stays empty.
    public init(host: Host, log: LogLines = LogLines()) {
        self.host = host
        self.log = log
        uevents = UEventLog()
        context = HostContext()
    }

    public func node(_ path: String) -> Node? {
        precondition(path.hasPrefix("/"), "testbed paths are absolute: \(path)")
        return host.root.resolve(path)
    }

    /// The whole of a text or binary attribute, as `cat` would get it.
    public func read(_ path: String) -> Result<String, Errno> {
        switch node(path) {
        case let attribute as Attribute:
            return Result { () throws(Errno) in String(decoding: try attribute.read(), as: UTF8.self) }
        case let file as BinaryAttribute:
            let count = file.size > 0 ? file.size : 1 << 16
            return Result { () throws(Errno) in String(decoding: try file.read(offset: 0, count: count), as: UTF8.self) }
        case is Directory: return .failure(.isDirectory)
        default: return .failure(.noSuchFileOrDirectory)
        }
    }

    /// One write(2) of `text`: the count accepted, or the errno.
    @discardableResult
    public func write(_ path: String, _ text: String) -> Result<Int, Errno> {
        switch node(path) {
        case let attribute as Attribute: return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
        case is Directory: return .failure(.isDirectory)
        default: return .failure(.noSuchFileOrDirectory)
        }
    }

    /// What readlink(2) returns for the symlink at `path`: the kernel's relative target.
    public func link(_ path: String) -> String? {
        precondition(path.hasPrefix("/"), "testbed paths are absolute: \(path)")
        return (host.root.resolve(path, followFinalLink: false) as? Symlink)?.relativeTarget
    }

    /// The entries of the directory at `path`, sorted; empty when there is none.
    public func names(_ path: String) -> [String] {
        ((node(path) as? Directory)?.list() ?? []).map(\.name).sorted()
    }

    /// Creates an mdev of `type` on the PCI function `parent` and returns its path.
    @discardableResult
    public func createMdev(_ uuid: String, type: String, parent: String) -> Result<String, Errno> {
        write(typePath(type, parent: parent) + "/create", uuid).map { _ in "/bus/mdev/devices/\(uuid)" }
    }

    public func typePath(_ type: String, parent: String = Testbed.gvt) -> String {
        "/bus/pci/devices/\(parent)/mdev_supported_types/\(type)"
    }

    /// Reads every attribute below `directory`, so that lazily built nodes and driver closures exist.
    public static func touchEverything(below directory: Directory) {
        for node in directory.list() {
            if let attribute = node as? Attribute { _ = try? attribute.read() }
            if let child = node as? Directory { touchEverything(below: child) }
        }
    }
}
