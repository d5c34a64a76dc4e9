import KernelCore
/// A uevent in the form udevd rebroadcasts it to libudev monitors on
/// NETLINK_KOBJECT_UEVENT group 2: a `struct monitor_netlink_header`
/// (systemd, src/libsystemd/sd-device/device-monitor.c) followed by the
/// properties as NUL-terminated `KEY=value` strings.
///
/// The header's lengths and offsets are in host byte order; the magic and
/// the filter hashes are big-endian, because in-kernel BPF socket filters
/// load them as network-order words.
public enum UdevMonitorMessage {
    public static let prefix = "libudev"
    public static let magic: UInt32 = 0xfeed_cafe
    /// `sizeof(struct monitor_netlink_header)`: an 8-byte prefix and eight `unsigned`.
    public static let headerSize = 40
    /// The multicast group libudev monitors listen on (`MONITOR_GROUP_UDEV`).
    public static let udevGroup: UInt32 = 2

    /// The properties in the kernel's order: ACTION, DEVPATH, SUBSYSTEM, the
    /// event's own, then SEQNUM (`kobject_uevent_env`).
    public static func properties(of event: UEvent, seqnum: UInt64) -> [String] {
        let reserved: Set<String> = ["ACTION", "DEVPATH", "SUBSYSTEM", "SEQNUM"]
        return ["ACTION=\(event.action.rawValue)", "DEVPATH=\(event.devpath)", "SUBSYSTEM=\(event.subsystem)"]
            + event.properties.filter { !reserved.contains($0.0) }.map { "\($0.0)=\($0.1)" }
            + ["SEQNUM=\(seqnum)"]
    }

    public static func encode(_ event: UEvent, seqnum: UInt64) -> [UInt8] {
        var block: [UInt8] = []
        for property in properties(of: event, seqnum: seqnum) {
            block += Array(property.utf8) + [0]
        }
        let devtype = event.properties.first { $0.0 == "DEVTYPE" }?.1

        var message = Array(prefix.utf8) + [0]
        message += bigEndian(magic)
        message += native(UInt32(headerSize))
        message += native(UInt32(headerSize))
        message += native(UInt32(truncatingIfNeeded: block.count))
        message += bigEndian(murmurHash2(event.subsystem))
        message += bigEndian(devtype.map(murmurHash2) ?? 0)
        // No tags: the tag bloom filter (hi, lo) stays zero.
        message += bigEndian(0) + bigEndian(0)
        return message + block
    }

    /// MurmurHash2 with seed 0 over the string's bytes, reading 4-byte blocks
    /// in host byte order, exactly as libudev's `string_hash32`.
    public static func murmurHash2(_ string: String) -> UInt32 {
        let bytes = Array(string.utf8)
        let m: UInt32 = 0x5bd1_e995
        var hash = UInt32(truncatingIfNeeded: bytes.count)
        var index = 0
        while bytes.count - index >= 4 {
            var k = bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: index, as: UInt32.self) }
            k &*= m
            k ^= k >> 24
            k &*= m
            hash &*= m
            hash ^= k
            index += 4
        }
        let tail = bytes.count - index
        if tail == 3 { hash ^= UInt32(bytes[index + 2]) << 16 }
        if tail >= 2 { hash ^= UInt32(bytes[index + 1]) << 8 }
        if tail >= 1 {
            hash ^= UInt32(bytes[index])
            hash &*= m
        }
        hash ^= hash >> 13
        hash &*= m
        hash ^= hash >> 15
        return hash
    }

    private static func bigEndian(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }

    private static func native(_ value: UInt32) -> [UInt8] {
        withUnsafeBytes(of: value, Array.init)
    }
}
