import Compatibility
import KernelCore
import Support
import SystemPackage
import SysfsTree

/// A QAT GEN4/GEN6 PF driver (`4xxx`, ...): the PF's `qat/` directory, SR-IOV
/// VFs, optionally the `vqat_vf` mdev type of the Scalable IOV stack (vQATs
/// that expose the same device as a VF), and the compatibility interfaces on
/// the PF, every VF and every vQAT.
final class QATDriver: VendorDriver {
    /// What `update` changes at once, as a new driver release or module options would.
    struct Settings {
        var configuration: QATCompatibility.Configuration
        var services: String
        var up: Bool
        var migration: Bool
        var scalableIOV: Bool
    }

    struct State {
        /// As the settings last gave them: an update that leaves `services`
        /// and `up` alone keeps what was written to `qat/` since.
        var settings: Settings
        var services: String
        var up: Bool
        var numVFs = 0
        var vqats = Set<MdevUUID>()
        var ringPair: Int?
        /// One description per exposed device ID (the PF's own, and the VFs' and vQATs'), made on first use.
        var compatibility: [UInt16: PublishedCompatibility] = [:]

        var inUse: Bool { numVFs > 0 || !vqats.isEmpty }

        /// Tells every interface what a function exposing each device now is.
        func publish() {
            for (device, published) in compatibility { published.publish(describe(device)) }
        }

        func describe(_ device: UInt16) -> CompatibilityDescription? {
            settings.migration ? QATCompatibility.describe(settings.configuration, device: device, services: services) : nil
        }
    }

    static let vqatType = "vqat_vf"

    let model: QATModel
    let interfaces: CompatibilityInterfaces
    let state: Locked<State>

    init(settings: Settings, flavours: Set<InterfaceFlavour>) {
        model = settings.configuration.model
        state = Locked(State(settings: settings, services: settings.services, up: settings.up))
        interfaces = CompatibilityInterfaces(flavours: flavours, codec: QATCompatibility.codec)
    }

    func update(settings: DriverSettings) throws(SettingsError) {
        let settings = try QATVFFactory.liveSettings(settings, model: model)
        state.withLock { state in
            if settings.services != state.settings.services { state.services = settings.services }
            if settings.up != state.settings.up { state.up = settings.up }
            state.settings = settings
            state.publish()
        }
    }

    // MARK: SR-IOV

    /// `adf_sriov_configure` enables every VF the hardware has, whatever the
    /// request ("all the VFs supported in hardware must be enabled").
    func numVFs(enabling requested: Int, on pf: PCIDevice) -> Int {
        Int(pf.spec.sriov?.totalVFs ?? 0)
    }

    /// `adf_sriov_configure`: refused while vQATs hold bundles; brings the device up.
    func enableVFs(_ count: Int, on pf: PCIDevice) throws(Errno) {
        try state.withLock { state throws(Errno) in
            guard state.vqats.isEmpty else {
                DeviceLog(pf)("device busy: \(state.vqats.count) vQATs use its ring pairs")
                throw .resourceBusy
            }
            state.up = true
            state.numVFs = count
        }
    }

    func disabledVFs(on pf: PCIDevice) {
        state.withLock { $0.numVFs = 0 }
    }

    // MARK: vQATs

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        guard state.withLock({ $0.settings.scalableIOV }), !device.isVirtualFunction else { return [] }
        return [MdevType(name: Self.vqatType, prettyName: model.kernelDriver + "-" + Self.vqatType)]
    }

    /// Bundles not taken by VFs or other vQATs; none while VFs are enabled.
    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int {
        state.withLock { $0.numVFs > 0 ? 0 : QATModel.bundles - $0.vqats.count }
    }

    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        try state.withLock { state throws(Errno) in
            guard state.numVFs == 0 && state.vqats.count < QATModel.bundles else { throw .noSpace }
            state.vqats.insert(mdev.uuid)
        }
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) {
        _ = state.withLock { $0.vqats.remove(mdev.uuid) }
    }

    // MARK: Attributes

    func attributes(of device: PCIDevice, in directory: Directory) -> [Node] {
        [qatDirectory(of: device, in: directory)]
            + compatibility(exposing: device.identity.device).nodes(in: directory, for: .device, log: DeviceLog(device))
    }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        compatibility(exposing: vf.identity.device).nodes(in: directory, for: .device, log: DeviceLog(vf))
    }

    func attributes(ofType type: MdevType, on parent: PCIDevice, in directory: Directory) -> [Node] {
        compatibility(exposing: model.vfDevice).nodes(in: directory, for: .typeDirectory,
                                                      log: DeviceLog(parent, subject: "\(parent.address) \(directory.name)"))
    }

    func attributes(ofMdev mdev: MdevDevice, in directory: Directory) -> [Node] {
        compatibility(exposing: model.vfDevice).nodes(in: directory, for: .device,
                                                      log: DeviceLog(mdev.parent, subject: "\(mdev.parent.address) \(mdev.uuid)"))
    }

    /// What every function exposing `device` publishes, judged with the services configured on the PF.
    private func compatibility(exposing device: UInt16) -> PublishedCompatibility {
        state.withLock { state in
            if let known = state.compatibility[device] { return known }
            let published = PublishedCompatibility(interfaces, state.describe(device))
            state.compatibility[device] = published
            return published
        }
    }
}
