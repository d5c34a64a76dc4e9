// swift-tools-version:6.0
import PackageDescription

/// libFuzzer targets over the parsers and stores of the main package. Not part
/// of the main package's build: each target's entry point comes from libFuzzer,
/// so they link only with `-sanitize=fuzzer` (see scripts/fuzz).
let targets = ["FuzzKernelParsing", "FuzzMdevUUID", "FuzzStores", "FuzzCompatibility", "FuzzScenario"]

let package = Package(
    name: "fakesysfs-fuzz",
    dependencies: [.package(name: "fakesysfs", path: "..")],
    targets: [
        .systemLibrary(name: "CFuzzer", path: "Targets/CFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzer"], path: "Targets/FuzzSupport"),
    ] + targets.map { name in
        .executableTarget(name: name, dependencies: [
            "FuzzSupport",
            .product(name: "Support", package: "fakesysfs"),
            .product(name: "SysfsTree", package: "fakesysfs"),
            .product(name: "Compatibility", package: "fakesysfs"),
            .product(name: "KernelCore", package: "fakesysfs"),
            .product(name: "Scenario", package: "fakesysfs"),
            .product(name: "DriverCatalog", package: "fakesysfs"),
        ], path: "Targets/" + name)
    },
    swiftLanguageModes: [.v6]
)
