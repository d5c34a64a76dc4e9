import KernelCore
import SystemPackage

/// `mount --state`: a VF's `remote_url` written at run time survives a restart.
extension NVMeDriver {
    static let remoteURLSetting = "remote_url"

    func persistentSettings(of device: PCIDevice) -> [String: String] {
        guard device.isVirtualFunction, let url = changedURL(of: device.address) else { return [:] }
        return [NVMeDriver.remoteURLSetting: url]
    }

    func restoreSettings(_ settings: [String: String], of device: PCIDevice) throws(Errno) {
        guard let url = settings[NVMeDriver.remoteURLSetting] else { return }
        guard device.isVirtualFunction, RemoteStorageURL.problem(url) == nil else { throw .invalidArgument }
        setURL(url, of: device.address)
    }
}
