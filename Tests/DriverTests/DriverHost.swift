import Compatibility
import DriverCatalog
import KernelCore
import Synchronization
import SystemPackage
import SysfsTree

/// A host built from drivers by name, with its log kept for assertions.
struct DriverHost {
    struct Device {
        let driver: String
        let address: String
        var settings: [String: DriverSettings.Value] = [:]

        init(_ driver: String, _ address: String, _ settings: [String: DriverSettings.Value] = [:]) {
            self.driver = driver
            self.address = address
            self.settings = settings
        }
    }

    let host: Host
    let log = LogLines()

    init(_ devices: [Device], flavours: Set<InterfaceFlavour> = Set(InterfaceFlavour.allCases)) throws {
        let log = self.log
        host = Host(name: "test", log: { log.append($0) })
        for device in devices {
            guard let factory = DriverCatalog.factory(named: device.driver), let address = PCIAddress(device.address) else {
                throw SettingsError(key: device.driver, reason: "no such driver or address")
            }
            let made = try factory.make(address: address, settings: DriverSettings(device.settings),
                                        context: HostContext(flavours: flavours))
            host.addDevice(made.spec, driver: made.driver)
        }
    }

    static let gvt = "0000:00:02.0"
    static let nvme = "0000:3b:00.0"
    static let qat = "0000:f3:00.0"

    static func gvtHost(_ settings: [String: DriverSettings.Value] = [:],
                        flavours: Set<InterfaceFlavour> = Set(InterfaceFlavour.allCases)) throws -> DriverHost {
        try DriverHost([Device("i915-gvt", gvt, settings)], flavours: flavours)
    }

    static func nvmeHost(_ settings: [String: DriverSettings.Value] = [:]) throws -> DriverHost {
        try DriverHost([Device("nvme-vf", nvme, ["initial_vfs": .integer(2)].merging(settings) { $1 })])
    }

    static func qatHost(_ settings: [String: DriverSettings.Value] = [:]) throws -> DriverHost {
        try DriverHost([Device("qat-vf", qat, ["initial_vfs": .integer(2)].merging(settings) { $1 })])
    }

    func node(_ path: String) -> Node? { host.root.resolve(path) }

    /// A symlink's absolute target.
    func link(_ path: String) -> String? {
        (host.root.resolve(path, followFinalLink: false) as? Symlink)?.target
    }

    func read(_ path: String) -> Result<String, Errno> {
        guard let attribute = node(path) as? Attribute else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in String(decoding: try attribute.read(), as: UTF8.self) }
    }

    @discardableResult
    func write(_ path: String, _ text: String) -> Result<Int, Errno> {
        guard let attribute = node(path) as? Attribute else { return .failure(.noSuchFileOrDirectory) }
        return Result { () throws(Errno) in try attribute.write(Array(text.utf8)) }
    }

    func names(_ path: String) -> [String] { ((node(path) as? Directory)?.list() ?? []).map(\.name) }

    /// Creates an mdev of `type` on `parent` and returns its path.
    @discardableResult
    func createMdev(_ uuid: String, type: String, parent: String) -> Result<String, Errno> {
        write("/bus/pci/devices/\(parent)/mdev_supported_types/\(type)/create", uuid)
            .map { _ in "/bus/mdev/devices/\(uuid)" }
    }

    func typePath(_ type: String, parent: String = gvt) -> String {
        "/bus/pci/devices/\(parent)/mdev_supported_types/\(type)"
    }
}

final class LogLines: Sendable {
    private let lines = Mutex<[String]>([])
    func append(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
    var last: String? { all.last }
}

extension Result where Failure == Errno {
    /// The error, or nil on success.
    var error: Errno? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

let uuid1 = "5e1fa6f9-1b2a-4c3d-8e4f-0a1b2c3d4e5f"
let uuid2 = "6f2ab7fa-2c3b-4d4e-9f50-1b2c3d4e5f60"
let uuid3 = "7a3bc80b-3d4c-4e5f-a061-2c3d4e5f6071"
