import KernelCore
import Support
extension MdevUUID {
    /// A version-4-shaped UUID that depends only on `parts`, so a scenario
    /// without explicit UUIDs builds the same mdevs every time.
    static func derived(from parts: [String]) -> MdevUUID {
        let bytes = Array(parts.joined(separator: "\u{1f}").utf8)
        var high = fnv1a(bytes, basis: 0xcbf2_9ce4_8422_2325)
        var low = fnv1a(bytes, basis: 0x8422_2325_cbf2_9ce4 ^ high)
        high = (high & ~0xf000) | 0x4000
        low = (low & ~(0xc << 60)) | (0x8 << 60)
        let digits = hex(high, 16) + hex(low, 16)
        func slice(_ from: Int, _ to: Int) -> Substring {
            digits.dropFirst(from).prefix(to - from)
        }
        let text = [slice(0, 8), slice(8, 12), slice(12, 16), slice(16, 20), slice(20, 32)].joined(separator: "-")
        // Hex digits and dashes in the right places: always a valid UUID.
        return MdevUUID(text) ?? MdevUUID.fallback
    }

    private static let fallback = MdevUUID("00000000-0000-4000-8000-000000000000")!

    private static func fnv1a(_ bytes: [UInt8], basis: UInt64) -> UInt64 {
        var hash = basis
        for byte in bytes {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }
}
