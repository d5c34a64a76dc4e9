/// What a host changed at run time that a restart must keep (`fakesysfs mount
/// --state FILE`): created mdevs, each PF's VF count and autoprobe, and the
/// settings drivers report as changed. Restored through the same stores a
/// user writes, so a restored tree is one the kernel core built itself.
public struct PersistentState: Codable, Equatable, Sendable {
    public struct Mdev: Codable, Equatable, Sendable {
        public var uuid: String
        /// The parent's address, e.g. `0000:00:02.0`.
        public var parent: String
        /// The type directory's name, e.g. `i915-GVTg_V5_4`.
        public var type: String

        public init(uuid: String, parent: String, type: String) {
            self.uuid = uuid
            self.parent = parent
            self.type = type
        }
    }

    public struct PhysicalFunction: Codable, Equatable, Sendable {
        public var address: String
        public var numVFs: Int
        public var driversAutoprobe: Bool

        public init(address: String, numVFs: Int, driversAutoprobe: Bool) {
            self.address = address
            self.numVFs = numVFs
            self.driversAutoprobe = driversAutoprobe
        }
    }

    public struct DriverSettings: Codable, Equatable, Sendable {
        public var address: String
        public var settings: [String: String]

        public init(address: String, settings: [String: String]) {
            self.address = address
            self.settings = settings
        }
    }

    /// The layout of this value; a file of another version is refused, not guessed at.
    public var version = 1
    public var physicalFunctions: [PhysicalFunction] = []
    public var driverSettings: [DriverSettings] = []
    public var mdevs: [Mdev] = []

    public init(physicalFunctions: [PhysicalFunction] = [], driverSettings: [DriverSettings] = [], mdevs: [Mdev] = []) {
        self.physicalFunctions = physicalFunctions
        self.driverSettings = driverSettings
        self.mdevs = mdevs
    }
}
