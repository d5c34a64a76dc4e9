import Compatibility
import SysfsTree

/// The target side of the read-and-test interface: what a write of a
/// source's `migration_version` string decides.
public enum MigrationVersionTest {
    /// The written bytes as C text without one trailing newline (`sysfs_streq`),
    /// parsed by the target's codec and judged by its description.
    public static func judge(_ input: StoreInput, target: CompatibilityDescription,
                             codec: any MigrationVersionCodec) -> CompatibilityVerdict {
        var bytes = input.cString
        if bytes.last == UInt8(ascii: "\n") { bytes = bytes.dropLast() }
        guard bytes.allSatisfy({ $0 < 0x80 }) else { return .incompatible(.format("not ASCII text")) }
        do throws(Incompatibility) {
            return codec.judge(try codec.parse(String(decoding: bytes, as: UTF8.self)), target: target)
        } catch {
            return .incompatible(error)
        }
    }
}
