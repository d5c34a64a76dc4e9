// swift-tools-version:6.0
import PackageDescription

/// Every folder under `Drivers/` is a vendor driver target; `DriverCatalog` registers them by name.
let drivers = ["I915GVT", "NVMeVF", "QATVF"]

let package = Package(
    name: "fakesysfs",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "fakesysfs", targets: ["fakesysfs"]),
        // For the fuzzing package in Fuzz/, which depends on this one by path.
        .library(name: "SysfsTree", targets: ["SysfsTree"]),
        .library(name: "KernelCore", targets: ["KernelCore"]),
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
        .target(name: "SysfsTree", dependencies: [.product(name: "SystemPackage", package: "swift-system")]),
        .target(name: "FuseServer", dependencies: ["CFuse3", "SysfsTree"]),
        .target(name: "KernelCore", dependencies: ["SysfsTree", .product(name: "Yams", package: "Yams")]),
        .target(name: "DriverCatalog", dependencies: ["KernelCore"] + drivers.map { .target(name: $0) }),
        .target(name: "MigrationCheck", dependencies: [
            "SysfsTree", "KernelCore", "DriverCatalog", .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .target(name: "Harness", dependencies: [
            "FuseServer", "KernelCore", "SysfsTree",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "SystemPackage", package: "swift-system"),
            .product(name: "Yams", package: "Yams"),
        ]),
        .executableTarget(name: "fakesysfs", dependencies: [
            "FuseServer", "KernelCore", "DriverCatalog", "MigrationCheck", "CLinux", "Harness",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .testTarget(name: "SysfsTreeTests", dependencies: ["SysfsTree"]),
        .testTarget(name: "KernelCoreTests", dependencies: ["KernelCore", "DriverCatalog", "CLinux"]),
        .testTarget(name: "FuseServerTests", dependencies: ["FuseServer", "SysfsTree"]),
        .testTarget(name: "HarnessTests", dependencies: [
            "Harness", "KernelCore", "FuseServer", "SysfsTree", "DriverCatalog",
        ]),
        .testTarget(name: "IntegrationTests", dependencies: [
            "KernelCore", "DriverCatalog", "Harness", .product(name: "SystemPackage", package: "swift-system"),
        ]),
        .testTarget(name: "ExampleDriverTests", dependencies: [
            "KernelCore", .product(name: "SystemPackage", package: "swift-system"),
        ], path: "examples/driver"),
        .testTarget(name: "DriverTests", dependencies: ["KernelCore", "DriverCatalog", "MigrationCheck"]
                        + drivers.map { .target(name: $0) }),
    ] + drivers.map { .target(name: $0, dependencies: ["KernelCore"], path: "Drivers/\($0)") },
    swiftLanguageModes: [.v6]
)
