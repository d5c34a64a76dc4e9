import Compatibility
import KernelCore
/// A scenario as read and checked, before anything is built: every host with
/// its devices spelled out, and the line each came from.
struct ScenarioPlan {
    var hosts: [HostPlan] = []
    /// PCI functions in all, VFs included.
    var deviceCount = 0
    var mdevCount = 0
}

struct HostPlan: Sendable {
    let name: String
    let line: Int
    /// The first host of its `hosts` entry: the others of the entry are built alike.
    let isFirstOfEntry: Bool
    let flavours: Set<InterfaceFlavour>
    let topology: CPUTopology
    let devices: [DevicePlan]
    let faults: [FaultEntry]
}

/// One `faults:` entry as written: its meaning is checked where faults are applied (the FUSE layer).
struct FaultEntry: Sendable {
    let fields: [String: String]
    let line: Int
}

struct DevicePlan: Sendable {
    let address: PCIAddress
    let line: Int
    let driver: String
    let factory: DriverMaker
    let settings: DriverSettings
    /// The line of each setting's key, and of `settings` itself.
    let settingLines: [String: Int]
    let settingsLine: Int
    let vfs: Int
    let vfsLine: Int
    let mdevs: [MdevPlan]
}

struct MdevPlan: Sendable {
    /// The type directory's name, e.g. `i915-GVTg_V5_4`.
    let type: String
    /// Nil for UUIDs derived from the host, device and position.
    let uuid: MdevUUID?
    let count: Int
    let line: Int
}

/// The sizes a scenario may not exceed.
public enum ScenarioLimits {
    public static let hosts = 100_000
    public static let devices = 1_000_000
    public static let mdevs = 1_000_000
    public static let cpus = 4096
    public static let nodes = 64
    public static let memoryMiBPerNode = 1 << 24
    public static let fileBytes = 16 << 20
    public static let hostNameBytes = 64
}
