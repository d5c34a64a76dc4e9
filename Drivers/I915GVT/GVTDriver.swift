import Compatibility
import KernelCore
import Support
import SystemPackage
import SysfsTree

/// The i915 GVT-g mediated vGPU driver: the type table and shared resource
/// pool of `vgpu.c`, `intel_vgpu/vgpu_id`, and `migration_version` as the
/// 2020 patch series put it on the type node and on each vGPU.
final class GVTDriver: VendorDriver {
    /// What `update` changes at once, as a new GVT release would.
    struct Settings {
        var softwareVersion: UInt32
        var migration: Bool
    }

    private struct State {
        var settings: Settings
        var resources: GVTResources
        var vgpuIDs: [MdevUUID: Int] = [:]
    }

    let platform: GVTPlatform
    let types: [GVTType]
    private let state: Locked<State>
    /// One description per type, shared by its directory and every vGPU of it.
    private let compatibility: [String: PublishedCompatibility]

    init(platform: GVTPlatform, apertureMB: Int, settings: Settings, flavours: Set<InterfaceFlavour>) {
        let interfaces = CompatibilityInterfaces(flavours: flavours, codec: GVTCompatibility.codec)
        let types = GVTResources.offeredTypes(GVTType.table(prefix: platform.typePrefix), apertureMB: apertureMB)
        self.platform = platform
        self.types = types
        state = Locked(State(settings: settings, resources: GVTResources(apertureMB: apertureMB)))
        compatibility = Dictionary(uniqueKeysWithValues: types.map { type in
            (type.name, PublishedCompatibility(interfaces, GVTDriver.describe(type, platform, settings)))
        })
    }

    // MARK: Types and capacity

    /// kvmgt registers its vGPUs' driver as `intel_vgpu_mdev`.
    var mdevDriverName: String? { "intel_vgpu_mdev" }

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        device.isVirtualFunction ? [] : types.map { MdevType(name: $0.name, description: $0.description) }
    }

    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int {
        guard let type = gvtType(type) else { return 0 }
        return state.withLock { $0.resources.available(type) }
    }

    /// `intel_gvt_create_vgpu`: a free vGPU ID, then the resources; ENOSPC for either.
    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard let type = gvtType(mdev.type) else { throw .invalidArgument }
        try state.withLock { state throws(Errno) in
            let taken = Set(state.vgpuIDs.values)
            guard let id = (1...GVTResources.maxVGPUs).first(where: { !taken.contains($0) }) else { throw .noSpace }
            try state.resources.reserve(type)
            state.vgpuIDs[mdev.uuid] = id
        }
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) {
        guard let type = gvtType(mdev.type) else { return }
        state.withLock { state in
            if state.vgpuIDs.removeValue(forKey: mdev.uuid) != nil { state.resources.release(type) }
        }
    }

    // MARK: Attributes

    func attributes(ofType type: MdevType, on parent: PCIDevice, in directory: Directory) -> [Node] {
        let log = DeviceLog(parent, subject: "\(parent.address) \(GVTCompatibility.driver)-\(type.name)")
        return compatibility[type.name]?.nodes(in: directory, for: .typeDirectory, log: log) ?? []
    }

    func attributes(ofMdev mdev: MdevDevice, in directory: Directory) -> [Node] {
        guard let compatibility = compatibility[mdev.type.name] else { return [] }
        let uuid = mdev.uuid
        let vgpu = directory.makeDirectory("intel_vgpu") { [self] group in
            group.makeAttributes(of: self, [.ro("vgpu_id") { gvt throws(Errno) in try gvt.vgpuID(uuid) }])
        }
        return [vgpu] + compatibility.nodes(in: directory, for: .device,
                                            log: DeviceLog(mdev.parent, subject: "\(mdev.parent.address) \(uuid)"))
    }

    func update(settings: DriverSettings) throws(SettingsError) {
        let settings = try I915GVTFactory.liveSettings(settings)
        state.withLock { state in
            state.settings = settings
            for type in types { compatibility[type.name]?.publish(GVTDriver.describe(type, platform, settings)) }
        }
    }

    private func vgpuID(_ uuid: MdevUUID) throws(Errno) -> String {
        guard let id = state.withLock({ $0.vgpuIDs[uuid] }) else { throw .noDevice }
        return "\(id)"
    }

    private func gvtType(_ type: MdevType) -> GVTType? {
        types.first { $0.name == type.name }
    }

    /// Nil (ENODEV) when migration is off or the software version is GVT's "invalid" marker.
    private static func describe(_ type: GVTType, _ platform: GVTPlatform, _ settings: Settings) -> CompatibilityDescription? {
        guard settings.migration && settings.softwareVersion != GVTCompatibility.invalidSoftwareVersion else { return nil }
        return GVTCompatibility.describe(deviceID: platform.deviceID, softwareVersion: settings.softwareVersion, type: type)
    }
}
