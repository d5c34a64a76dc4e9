/// What a matrix header says about a device: the kernel driver bound to it
/// (an mdev's or type's parent's), its model (PCI `vendor:device`, or the mdev
/// type) and the driver's software version where the tree shows one.
public struct DeviceSummary: Sendable, Equatable, Hashable {
    public let kind: DeviceNode.Kind
    public let driver: String
    public let model: String
    public let version: String?

    public init(kind: DeviceNode.Kind, driver: String, model: String, version: String?) {
        self.kind = kind
        self.driver = driver
        self.model = model
        self.version = version
    }

    init(node: DeviceNode, access: some SysfsAccess) {
        kind = node.kind
        let function: String?
        switch node.kind {
        case .function, .virtualFunction:
            function = node.path
            let vendor = access.value(joinPath(node.path, "vendor")).map(Self.hexID)
            let device = access.value(joinPath(node.path, "device")).map(Self.hexID)
            model = ((try? vendor.get()) ?? "?") + ":" + ((try? device.get()) ?? "?")
        case .mdev:
            // /sys/devices/.../PARENT/UUID
            function = access.resolve(node.path).map(Self.parentDirectory)
            model = node.typeID ?? "?"
        case .mdevType:
            // /sys/devices/.../PARENT/mdev_supported_types/TYPE
            function = access.resolve(node.path).map { Self.parentDirectory(Self.parentDirectory($0)) }
            model = node.typeID ?? "?"
        }
        driver = function.flatMap { access.resolve(joinPath($0, "driver")) }.map(baseName) ?? "none"
        version = try? access.value(joinPath(node.typeDirectory ?? node.path, "software_version")).get()
    }

    /// `0x144d` → `144d`.
    private static func hexID(_ text: String) -> String {
        text.hasPrefix("0x") ? String(text.dropFirst(2)) : text
    }

    private static func parentDirectory(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }

    /// e.g. `nvme VF 144d:a824 1.0.0`.
    public var description: String {
        [driver, kind.rawValue, model, version].compactMap { $0 }.joined(separator: " ")
    }
}
