import Compatibility
import DriverCatalog
import KernelCore

extension Testbed {
    /// One PCI function of a testbed and how its driver makes it.
    public struct Device {
        public typealias Make = (PCIAddress, HostContext) throws -> (spec: DeviceSpec, driver: any VendorDriver)

        let address: String
        let make: Make

        /// A device of the driver scenarios call `name` (`i915-gvt`, `nvme-vf`, `qat-vf`).
        public static func driver(_ name: String, at address: String,
                                  _ settings: [String: DriverSettings.Value] = [:]) -> Device {
            Device(address: address) { address, context in
                guard let factory = DriverCatalog.factory(named: name) else {
                    throw SettingsError(key: "driver", reason: "no driver named \(name)")
                }
                return try factory.make(address: address, settings: DriverSettings(settings), context: context)
            }
        }

        /// A device of a driver that is not in the catalog, such as an example.
        public static func factory(_ factory: any DriverFactory.Type, at address: String,
                                   _ settings: [String: DriverSettings.Value] = [:]) -> Device {
            Device(address: address) { address, context in
                try factory.make(address: address, settings: DriverSettings(settings), context: context)
            }
        }

        /// An Intel GVT-g GPU at `Testbed.gvt`.
        public static func gvt(_ settings: [String: DriverSettings.Value] = [:]) -> Device {
            driver("i915-gvt", at: Testbed.gvt, settings)
        }

        /// An NVMe SR-IOV controller at `Testbed.nvme` with `vfs` VFs enabled
        /// (`initial_vfs` in `settings` wins).
        public static func nvme(_ settings: [String: DriverSettings.Value] = [:], vfs: Int = 2) -> Device {
            driver("nvme-vf", at: Testbed.nvme, ["initial_vfs": .integer(vfs)].merging(settings) { $1 })
        }

        /// A QAT SR-IOV accelerator at `Testbed.qat` with `vfs` VFs enabled.
        public static func qat(_ settings: [String: DriverSettings.Value] = [:], vfs: Int = 2) -> Device {
            driver("qat-vf", at: Testbed.qat, ["initial_vfs": .integer(vfs)].merging(settings) { $1 })
        }
    }
}
