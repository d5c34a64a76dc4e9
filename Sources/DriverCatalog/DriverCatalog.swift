import Compatibility
import I915GVT
import KernelCore
import NVMeVF
import QATVF
import SysfsTree

/// Every vendor driver, by the name scenarios use. A new driver is a folder
/// under `Drivers/`, its name in Package.swift's `drivers`, and one entry here.
public enum DriverCatalog {
    public static var factories: [any DriverFactory.Type] {
        [
            I915GVTFactory.self,
            NVMeVFFactory.self,
            QATVFFactory.self,
        ]
    }

    public static var names: [String] { factories.map { $0.name } }

    public static func factory(named name: String) -> (any DriverFactory.Type)? {
        factories.first { $0.name == name }
    }

    /// The `migration_version` formats of every driver that has one, to explain strings.
    public static var codecs: [any MigrationVersionCodec] {
        factories.compactMap { ($0 as? any MigrationVersionCodecProvider.Type)?.migrationVersionCodec }
    }

    /// The first codec that reads `text`, with what it read.
    public static func decode(_ text: String) -> (codec: any MigrationVersionCodec, description: CompatibilityDescription)? {
        codecs.decode(text)
    }
}
