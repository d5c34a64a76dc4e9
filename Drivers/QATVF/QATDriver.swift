import Compatibility
import KernelCore
import SystemPackage
import SysfsTree

/// A QAT GEN4/GEN6 PF driver (`4xxx`, ...): the PF's `qat/` directory, SR-IOV
/// VFs, optionally the `vqat_vf` mdev type of the Scalable IOV stack (vQATs
/// that expose the same device as a VF), and the compatibility interfaces on
/// the PF, every VF and every vQAT.
final class QATDriver: VendorDriver, @unchecked Sendable {
    private struct DescribedFunction {
        let services: String
        let description: CompatibilityDescription
    }

    struct State {
        var services: String
        var up: Bool
        var numVFs = 0
        var vqats = Set<MdevUUID>()
        var ringPair: Int?

        var inUse: Bool { numVFs > 0 || !vqats.isEmpty }
    }

    static let vqatType = "vqat_vf"

    let interfaces: CompatibilityInterfaces

    // Guarded by the host's lock; `update` changes them, as a new driver release or module options would.
    private(set) var configuration: QATCompatibility.Configuration { didSet { descriptions.advance() } }
    private(set) var migration: Bool { didSet { descriptions.advance() } }
    private(set) var scalableIOV: Bool
    var state: State { didSet { descriptions.advance() } }
    /// The description last built for each exposed device ID, with the services it was built for.
    private var described: [UInt16: DescribedFunction] = [:]
    private let descriptions = DescriptionGeneration()
    /// `cfg_services` and `state` as the settings last gave them: an update
    /// that leaves them alone keeps what was written to `qat/` since.
    private var configuredServices: String
    private var configuredUp: Bool

    init(configuration: QATCompatibility.Configuration, services: String, up: Bool, migration: Bool,
         scalableIOV: Bool, flavours: Set<InterfaceFlavour>) {
        self.configuration = configuration
        self.migration = migration
        self.scalableIOV = scalableIOV
        self.state = State(services: services, up: up)
        self.configuredServices = services
        self.configuredUp = up
        self.interfaces = CompatibilityInterfaces(flavours: flavours, schema: QATCompatibility.schema,
                                                  codec: QATCompatibility.codec)
    }

    // MARK: Settings

    func update(settings: DriverSettings) throws(SettingsError) {
        let live = try QATVFFactory.liveSettings(settings, model: configuration.model)
        configuration = live.configuration
        described = [:]
        migration = live.migration
        scalableIOV = live.scalableIOV
        if live.services != configuredServices { state.services = live.services }
        if live.up != configuredUp { state.up = live.up }
        configuredServices = live.services
        configuredUp = live.up
    }

    // MARK: SR-IOV

    /// `adf_sriov_configure`: refused while vQATs hold bundles; brings the device up.
    func enableVFs(_ count: Int, on pf: PCIDevice) throws(Errno) {
        guard state.vqats.isEmpty else {
            pf.host?.log("\(pf.address): device busy: \(state.vqats.count) vQATs use its ring pairs")
            throw .resourceBusy
        }
        state.up = true
        state.numVFs = count
    }

    func disabledVFs(on pf: PCIDevice) {
        state.numVFs = 0
    }

    // MARK: vQATs

    func mdevTypes(of device: PCIDevice) -> [MdevType] {
        guard scalableIOV, !device.isVirtualFunction else { return [] }
        return [MdevType(name: Self.vqatType, prettyName: configuration.model.kernelDriver + "-" + Self.vqatType)]
    }

    /// Bundles not taken by VFs or other vQATs; none while VFs are enabled.
    func availableInstances(of type: MdevType, on parent: PCIDevice) -> Int {
        state.numVFs > 0 ? 0 : QATModel.bundles - state.vqats.count
    }

    func createMdev(_ mdev: MdevDevice) throws(Errno) {
        guard availableInstances(of: mdev.type, on: mdev.parent) > 0 else { throw .noSpace }
        state.vqats.insert(mdev.uuid)
    }

    func removeMdev(_ mdev: MdevDevice) throws(Errno) {
        state.vqats.remove(mdev.uuid)
    }

    // MARK: Attributes

    func attributes(of device: PCIDevice, in directory: Directory) -> [Node] {
        [qatDirectory(of: device, in: directory)]
            + compatibility(of: device, exposing: device.identity.device, in: directory, for: .device,
                            subject: device.address.description)
    }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        compatibility(of: vf, exposing: vf.identity.device, in: directory, for: .device, subject: vf.address.description)
    }

    func attributes(ofType type: MdevType, on parent: PCIDevice, in directory: Directory) -> [Node] {
        compatibility(of: parent, exposing: configuration.model.vfDevice, in: directory, for: .typeDirectory,
                      subject: "\(parent.address) \(directory.name)")
    }

    func attributes(ofMdev mdev: MdevDevice, in directory: Directory) -> [Node] {
        compatibility(of: mdev.parent, exposing: configuration.model.vfDevice, in: directory, for: .device,
                      subject: "\(mdev.parent.address) \(mdev.uuid)")
    }

    /// What a function exposing `device` is now; rebuilt only when the services change,
    /// as every read and write of the interfaces asks for it. Called with the host's lock held.
    private func description(exposing device: UInt16) -> CompatibilityDescription {
        if let cached = described[device], cached.services == state.services { return cached.description }
        let description = QATCompatibility.describe(configuration, device: device, services: state.services)
        described[device] = DescribedFunction(services: state.services, description: description)
        return description
    }

    /// The interfaces of a function exposing `device`, judged with the
    /// services currently configured on its PF (`owner` or its PF).
    private func compatibility(of owner: PCIDevice, exposing device: UInt16, in directory: Directory,
                               for location: CompatibilityInterfaces.Location, subject: String) -> [Node] {
        weak let host = owner.host
        let describe = descriptions.keeping { [weak self] () throws(Errno) in
            guard let self, let host else { throw .noDevice }
            return host.lock.withLock { self.migration ? self.description(exposing: device) : nil }
        }
        return interfaces.nodes(in: directory, for: location, subject: subject,
                                log: { message in host?.log(message) }, refusals: host?.refusalLog, describe: describe)
    }
}
