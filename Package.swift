// swift-tools-version:6.0
import PackageDescription

/// Every folder under `Drivers/` is a vendor driver target; `DriverCatalog` registers them by name.
let drivers = ["I915GVT", "NVMeVF", "QATVF"]
let system = Target.Dependency.product(name: "SystemPackage", package: "swift-system")

let package = Package(
    name: "fakesysfs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fakesysfs", targets: ["fakesysfs"]),
        // For the fuzzing package in Fuzz/, which depends on this one by path.
        .library(name: "Support", targets: ["Support"]),
        .library(name: "SysfsTree", targets: ["SysfsTree"]),
        .library(name: "Compatibility", targets: ["Compatibility"]),
        .library(name: "KernelCore", targets: ["KernelCore"]),
        .library(name: "Scenario", targets: ["Scenario"]),
        .library(name: "DriverCatalog", targets: ["DriverCatalog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-system", from: "1.4.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.0"),
    ],
    targets: [
        .systemLibrary(name: "CFuse3", path: "Sources/CFuse3", pkgConfig: "fuse3",
                       providers: [.apt(["libfuse3-dev"])]),
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        .systemLibrary(name: "CBuildInfo", path: "Sources/CBuildInfo"),
        .target(name: "Support", dependencies: [system]),
        .target(name: "SysfsTree", dependencies: ["Support", system]),
        .target(name: "FuseServer", dependencies: ["CFuse3", "SysfsTree", "Support"]),
        .target(name: "Compatibility", dependencies: ["Support"]),
        .target(name: "KernelCore", dependencies: ["SysfsTree", "Compatibility", "Support", system]),
        .target(name: "Scenario", dependencies: [
            "KernelCore", "Compatibility", "SysfsTree", "Support", .product(name: "Yams", package: "Yams"),
        ]),
        .target(name: "HostOS", dependencies: ["KernelCore", "Support", system]),
        .target(name: "DriverCatalog", dependencies: ["KernelCore", "Scenario", "Compatibility"]
                    + drivers.map { .target(name: $0) }),
        .target(name: "MigrationCheck", dependencies: ["Compatibility", "Support", system]),
        .target(name: "Harness", dependencies: [
            "FuseServer", "KernelCore", "Scenario", "SysfsTree", "Support",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            system,
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "fakesysfs", dependencies: [
            "FuseServer", "KernelCore", "Scenario", "HostOS", "Compatibility", "Support", "DriverCatalog",
            "MigrationCheck", "CLinux", "CBuildInfo", "Harness",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // What every test level builds its hosts with (Tests/Testbed).
        .target(name: "Testbed", dependencies: [
            "KernelCore", "DriverCatalog", "Compatibility", "SysfsTree", "Support", system,
        ], path: "Tests/Testbed"),
        .testTarget(name: "SysfsTreeTests", dependencies: ["SysfsTree", "Support"]),
        .testTarget(name: "KernelCoreTests", dependencies: [
            "Testbed", "KernelCore", "Scenario", "HostOS", "Compatibility", "Support", "DriverCatalog", "CLinux",
        ]),
        .testTarget(name: "FuseServerTests", dependencies: ["FuseServer", "SysfsTree", "Support"]),
        .testTarget(name: "HarnessTests", dependencies: [
            "Testbed", "Harness", "KernelCore", "Scenario", "FuseServer", "SysfsTree", "Support", "DriverCatalog",
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "Testbed", "KernelCore", "Scenario", "HostOS", "Compatibility", "Support", "DriverCatalog", "Harness",
            system,
        ]),
        .testTarget(name: "ExampleDriverTests", dependencies: [
            "Testbed", "KernelCore", "Compatibility", "Support", system,
        ], path: "examples/driver"),
        .testTarget(name: "DriverTests", dependencies: [
            "Testbed", "KernelCore", "Compatibility", "Support", "SysfsTree", "DriverCatalog", "MigrationCheck", "Scenario",
            system,
        ] + drivers.map { .target(name: $0) }),
    ] + drivers.map {
        .target(name: $0, dependencies: ["KernelCore", "Compatibility", "SysfsTree", "Support", system],
                path: "Drivers/\($0)")
    },
    swiftLanguageModes: [.v6]
)
