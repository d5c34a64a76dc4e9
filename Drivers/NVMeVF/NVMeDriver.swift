import Compatibility
import KernelCore
import Support
import SystemPackage
import SysfsTree

/// The `nvme` PCI driver with SR-IOV (`pci_sriov_configure_simple`): VFs
/// carry a writable `remote_url` and the compatibility interfaces.
final class NVMeDriver: VendorDriver {
    /// What `update` changes at once, as a new driver release or a new storage default would.
    struct Settings {
        var driverVersion: SemanticVersion
        var defaultURL: String
        var migration: Bool
    }

    private struct State {
        var settings: Settings
        /// Written at run time; a VF without one uses the default.
        var urls: [PCIAddress: String] = [:]
        /// What each VF's interfaces show, from when its directory is built.
        var published: [PCIAddress: PublishedCompatibility] = [:]

        func url(of vf: PCIAddress) -> String { urls[vf] ?? settings.defaultURL }
    }

    let interfaces: CompatibilityInterfaces
    private let state: Locked<State>

    init(settings: Settings, flavours: Set<InterfaceFlavour>) {
        state = Locked(State(settings: settings))
        interfaces = CompatibilityInterfaces(flavours: flavours, codec: NVMeCompatibility.codec)
    }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        let address = vf.address, log = DeviceLog(vf), published = PublishedCompatibility(interfaces)
        state.withLock { state in
            state.published[address] = published
            published.publish(describe(address, state))
        }
        return directory.makeAttributes(of: self, [
            .rw(NVMeCompatibility.remoteURL, show: { $0.state.withLock { $0.url(of: address) } },
                store: { nvme, input throws(Errno) in
                    if let problem = RemoteStorageURL.problem(input.value) {
                        log("remote_url refused: \(problem)")
                        throw .invalidArgument
                    }
                    nvme.setURL(input.value, of: address)
                    log.stateChanged()
                }),
        ]) + published.nodes(in: directory, for: .device, log: log)
    }

    func disabledVFs(on pf: PCIDevice) {
        state.withLock { $0 = State(settings: $0.settings) }
    }

    func update(settings: DriverSettings) throws(SettingsError) {
        let settings = try NVMeVFFactory.liveSettings(settings)
        state.withLock { state in
            state.settings = settings
            for (vf, published) in state.published { published.publish(describe(vf, state)) }
        }
    }

    /// The URL written to `vf` at run time, if any.
    func changedURL(of vf: PCIAddress) -> String? { state.withLock { $0.urls[vf] } }

    func setURL(_ url: String, of vf: PCIAddress) {
        state.withLock { state in
            state.urls[vf] = url
            state.published[vf]?.publish(describe(vf, state))
        }
    }

    private func describe(_ vf: PCIAddress, _ state: State) -> CompatibilityDescription? {
        guard state.settings.migration else { return nil }
        return NVMeCompatibility.describe(driverVersion: state.settings.driverVersion, url: state.url(of: vf))
    }
}
