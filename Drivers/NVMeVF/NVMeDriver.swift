import KernelCore
import SystemPackage
import SysfsTree

/// The `nvme` PCI driver with SR-IOV (`pci_sriov_configure_simple`): VFs
/// carry a writable `remote_url` and the compatibility interfaces.
final class NVMeDriver: VendorDriver, @unchecked Sendable {
    let driverVersion: SemanticVersion
    let defaultURL: String
    let migration: Bool
    let interfaces: CompatibilityInterfaces

    // Guarded by the host's lock; a VF without an entry uses `defaultURL`.
    private var urls: [PCIAddress: String] = [:]

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
        let describe: CompatibilityInterfaces.Describe = { [weak self] () throws(Errno) in
            guard let self, let host else { throw .noDevice }
            guard self.migration else { return nil }
            let url = host.lock.withLock { self.url(of: address) }
            return NVMeCompatibility.describe(identity: identity, driverVersion: self.driverVersion, url: url)
        }
        return [remoteURL] + interfaces.nodes(in: directory, for: .device, subject: address.description,
                                              log: log, describe: describe)
    }

    private func url(of vf: PCIAddress) -> String {
        urls[vf] ?? defaultURL
    }
}
