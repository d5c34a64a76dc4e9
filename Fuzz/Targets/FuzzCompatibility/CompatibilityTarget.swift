import Compatibility
import DriverCatalog
import FuzzSupport
import KernelCore
import SysfsTree

/// The drivers' `migration_version` codecs and the JSON flavour's parser.
/// Codecs accept only what they render (so judging a parsed string equals
/// comparing strings), and anything parsed is compatible with itself; the
/// JSON object parsed back from its rendering is the same description. A
/// written string is judged against every default device without trapping.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Fuzzer.bytes(data, size)
    let text = String(decoding: bytes, as: UTF8.self)
    for codec in DriverCatalog.codecs {
        guard let description = try? codec.parse(text) else { continue }
        let rendered = codec.render(description)
        if rendered != text {
            Fuzzer.fail("\(codec.driver) parsed \(text.debugDescription) but renders \(rendered.debugDescription)")
        }
        if let reason = codec.judge(description, target: description).incompatibility {
            Fuzzer.fail("\(codec.driver): \(text.debugDescription) is not compatible with itself: \(reason)")
        }
        for target in Targets.descriptions {
            _ = MigrationVersionTest.judge(StoreInput(bytes), target: target, codec: codec)
        }
    }
    _ = DriverCatalog.decode(text)
    if let description = try? CompatibilityJSON.parse(text) {
        let again = try? CompatibilityJSON.parse(CompatibilityJSON.render(description))
        if again != description {
            Fuzzer.fail("JSON \(text.debugDescription) does not survive its own rendering")
        }
    }
    return 0
}

/// The descriptions of the default host's devices, parsed once from their strings.
enum Targets {
    static let descriptions: [CompatibilityDescription] = [
        "8086-591d-GVTg_V5_4-00000001",
        "nvme-144d-a824-1.0.0-nvme+tcp://192.0.2.10:4420/nqn.2014-08.com.example:pool0",
        "qat-gen4-8086-4940-1.0.0-0403b20f-071c-5",
    ].compactMap { DriverCatalog.decode($0)?.description }
}
