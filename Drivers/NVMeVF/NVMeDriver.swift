import Compatibility
import KernelCore
import SystemPackage
import SysfsTree

/// The `nvme` PCI driver with SR-IOV (`pci_sriov_configure_simple`): VFs
/// carry a writable `remote_url` and the compatibility interfaces.
final class NVMeDriver: VendorDriver, @unchecked Sendable {
    let interfaces: CompatibilityInterfaces

    // Guarded by the host's lock; `update` changes the first three, as a new
    // driver release or a new storage default would.
    private(set) var driverVersion: SemanticVersion { didSet { descriptions.advance() } }
    private(set) var defaultURL: String { didSet { descriptions.advance() } }
    private(set) var migration: Bool { didSet { descriptions.advance() } }
    /// A VF without an entry uses `defaultURL`.
    private var urls: [PCIAddress: String] = [:] { didSet { descriptions.advance() } }
    private let descriptions = DescriptionGeneration()

    init(driverVersion: SemanticVersion, defaultURL: String, migration: Bool, flavours: Set<InterfaceFlavour>) {
        self.driverVersion = driverVersion
        self.defaultURL = defaultURL
        self.migration = migration
        self.interfaces = CompatibilityInterfaces(flavours: flavours, schema: NVMeCompatibility.schema,
                                                  codec: NVMeCompatibility.codec)
    }

    func disabledVFs(on pf: PCIDevice) {
        urls = [:]
    }

    /// The URL written to `address` at run time, if any (call with the host's lock held).
    func changedURL(of address: PCIAddress) -> String? { urls[address] }

    /// Sets `address`'s URL (call with the host's lock held).
    func setURL(_ url: String, of address: PCIAddress) { urls[address] = url }

    func attributes(ofVF vf: PCIDevice, in directory: Directory) -> [Node] {
        let address = vf.address
        let identity = vf.identity
        weak let host = vf.host
        let log: @Sendable (String) -> Void = { message in host?.log(message) }
        let remoteURL = directory.makeAttribute(NVMeCompatibility.remoteURL, mode: 0o644,
            show: { [weak self] () throws(Errno) in
                guard let self, let host else { throw .noDevice }
                return host.lock.withLock { self.url(of: address) } + "\n"
            },
            store: { [weak self] input throws(Errno) in
                guard let self, let host else { throw .noDevice }
                let url = input.value
                if let problem = RemoteStorageURL.problem(url) {
                    log("\(address): remote_url refused: \(problem)")
                    throw .invalidArgument
                }
                host.lock.withLock {
                    self.urls[address] = url
                    host.noteStateChange()
                }
            })
        let describe = descriptions.keeping { [weak self] () throws(Errno) in
            guard let self, let host else { throw .noDevice }
            let (migration, driverVersion, url) = host.lock.withLock { (self.migration, self.driverVersion, self.url(of: address)) }
            guard migration else { return nil }
            return NVMeCompatibility.describe(identity: identity, driverVersion: driverVersion, url: url)
        }
        return [remoteURL] + interfaces.nodes(in: directory, for: .device, subject: address.description,
                                              log: log, refusals: host?.refusalLog, describe: describe)
    }

    /// Another driver version, default remote storage (for VFs not given their own) or migration switch, at once.
    func update(settings: DriverSettings) throws(SettingsError) {
        let live = try NVMeVFFactory.liveSettings(settings)
        driverVersion = live.driverVersion
        defaultURL = live.defaultURL
        migration = live.migration
    }

    private func url(of vf: PCIAddress) -> String {
        urls[vf] ?? defaultURL
    }
}
