import Compatibility
import KernelCore
import SystemPackage
import SysfsTree

/// The i915 GVT-g mediated vGPU driver: the type table and shared resource
/// pool of `vgpu.c`, `intel_vgpu/vgpu_id`, and `migration_version` as the
/// 2020 patch series put it on the type node and on each vGPU.
final class GVTDriver: VendorDriver, @unchecked Sendable {
    let platform: GVTPlatform
    let types: [GVTType]
    let interfaces: CompatibilityInterfaces

    // Guarded by the host's lock; `update` changes the first two, as a new GVT release would.
    private(set) var softwareVersion: UInt32 { didSet { descriptions.advance() } }
    private(set) var migration: Bool { didSet { descriptions.advance() } }
    private let descriptions = DescriptionGeneration()
    private var resources: GVTResources
    private var vgpuIDs: [MdevUUID: Int] = [:]

    init(platform: GVTPlatform, apertureMB: Int, softwareVersion: UInt32, migration: Bool,
         flavours: Set<InterfaceFlavour>) {
        self.platform = platform
        self.types = GVTResources.offeredTypes(GVTType.table(prefix: platform.typePrefix), apertureMB: apertureMB)
        self.softwareVersion = softwareVersion
        self.migration = migration
        self.resources = GVTResources(apertureMB: apertureMB)
        self.interfaces = CompatibilityInterfaces(flavours: flavours, schema: GVTCompatibility.schema,
                                                  codec: GVTCompatibility.codec)
    }

    private func gvtType(_ type: MdevType) -> GVTType? {
        types.first { $0.name == type.name }
    }

    // MARK: Types and capacity

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        device.isVirtualFunction ? [] : types.map { MdevType(name: $0.name, description: $0.description) }
    }

    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int {
        gvtType(type).map { resources.available($0) } ?? 0
    }

    /// `intel_gvt_create_vgpu`: a free vGPU ID, then the resources; ENOSPC for either.
    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard let type = gvtType(mdev.type) else { throw .invalidArgument }
        let taken = Set(vgpuIDs.values)
        guard let id = (1...GVTResources.maxVGPUs).first(where: { !taken.contains($0) }) else { throw .noSpace }
        try resources.reserve(type)
        vgpuIDs[mdev.uuid] = id
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) {
        guard vgpuIDs.removeValue(forKey: mdev.uuid) != nil, let type = gvtType(mdev.type) else { return }
        resources.release(type)
    }

    // MARK: Attributes

    func attributes(ofType type: MdevType, on parent: PCIDevice, in directory: Directory) -> [Node] {
        guard let gvtType = gvtType(type) else { return [] }
        return interfaces.nodes(in: directory, for: .typeDirectory,
                                subject: "\(parent.address) \(GVTCompatibility.driver)-\(type.name)",
                                log: logger(parent), refusals: parent.host?.refusalLog,
                                describe: describe(gvtType, host: parent.host))
    }

    func attributes(ofMdev mdev: MdevDevice, in directory: Directory) -> [Node] {
        guard let gvtType = gvtType(mdev.type) else { return [] }
        let uuid = mdev.uuid
        weak let host = mdev.parent.host
        let vgpu = directory.makeDirectory("intel_vgpu") { [weak self] group in
            [group.makeAttribute("vgpu_id", mode: 0o444) { [weak self] () throws(Errno) in
                guard let self, let host else { throw .noDevice }
                return try host.lock.withLock { () throws(Errno) in
                    guard let id = self.vgpuIDs[uuid] else { throw .noDevice }
                    return "\(id)\n"
                }
            }]
        }
        return [vgpu] + interfaces.nodes(in: directory, for: .device, subject: "\(mdev.parent.address) \(uuid)",
                                         log: logger(mdev.parent), refusals: host?.refusalLog,
                                         describe: describe(gvtType, host: host))
    }

    /// The description of a type and of every vGPU of it, with the software
    /// version of the moment; nil (ENODEV) when migration is off or the
    /// software version is GVT's "invalid" marker.
    private func describe(_ type: GVTType, host: Host?) -> CompatibilityInterfaces.Describe {
        let deviceID = platform.deviceID
        return descriptions.keeping { [weak self, weak host] () throws(Errno) in
            guard let self, let host else { throw .noDevice }
            let (softwareVersion, migration) = host.lock.withLock { (self.softwareVersion, self.migration) }
            guard migration && softwareVersion != GVTCompatibility.invalidSoftwareVersion else { return nil }
            return GVTCompatibility.describe(deviceID: deviceID, softwareVersion: softwareVersion, type: type)
        }
    }

    /// A GVT release with another software version, or migration switched on or off, takes effect at once.
    func update(settings: DriverSettings) throws(SettingsError) {
        let live = try I915GVTFactory.liveSettings(settings)
        softwareVersion = live.softwareVersion
        migration = live.migration
    }

    private func logger(_ device: PCIDevice) -> @Sendable (String) -> Void {
        let log = device.host?.log
        return { message in log?(message) }
    }
}
