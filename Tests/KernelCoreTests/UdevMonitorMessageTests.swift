import HostOS
import Testing
@testable import KernelCore

@Suite struct UdevMonitorMessageTests {
    static let mdevBind = UEvent(
        action: .bind, devpath: "/devices/pci0000:00/0000:00:02.0/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001",
        subsystem: "mdev", properties: [("DRIVER", "intel_vgpu_mdev")])

    /// Reference values from systemd's MurmurHash2.c, compiled and run on the same (little-endian) machine.
    @Test(arguments: [
        ("", 0x0000_0000), ("a", 0x9268_5f5e), ("ab", 0x1aa1_4063), ("abc", 0x1357_7c9b), ("abcd", 0x2687_3021),
        ("pci", 0x5916_3b92), ("mdev", 0xbb52_11c7), ("block", 0xf003_1db7), ("net", 0xa74d_3cc8),
    ] as [(String, UInt32)])
    func murmurHash2MatchesLibudev(text: String, hash: UInt32) {
        #expect(UdevMonitorMessage.murmurHash2(text) == hash)
    }

    @Test func headerAndPropertiesAreLaidOutAsLibudevReadsThem() {
        let message = UdevMonitorMessage.encode(Self.mdevBind, seqnum: 7)
        let block = "ACTION=bind\0DEVPATH=/devices/pci0000:00/0000:00:02.0/83b8f4f2-509f-382f-3c1e-e6bfe0fa1001\0"
            + "SUBSYSTEM=mdev\0DRIVER=intel_vgpu_mdev\0SEQNUM=7\0"
        let length = UInt8(block.utf8.count)
        let header: [UInt8] = Array("libudev\0".utf8)
            + [0xfe, 0xed, 0xca, 0xfe]          // magic, big-endian
            + [40, 0, 0, 0]                     // header_size, host order
            + [40, 0, 0, 0]                     // properties_off
            + [length, 0, 0, 0]                 // properties_len
            + [0xbb, 0x52, 0x11, 0xc7]          // murmur2("mdev"), big-endian
            + [0, 0, 0, 0]                      // no DEVTYPE
            + [0, 0, 0, 0, 0, 0, 0, 0]          // tag bloom filter
        #expect(message == header + Array(block.utf8))
    }

    @Test func devtypeIsHashedAndReservedKeysAreNotRepeated() {
        let event = UEvent(action: .change, devpath: "/devices/virtual/block/loop0", subsystem: "block",
                           properties: [("ACTION", "bogus"), ("DEVTYPE", "disk"), ("SEQNUM", "99")])
        let message = UdevMonitorMessage.encode(event, seqnum: 3)
        #expect(Array(message[28..<32]) == withUnsafeBytes(of: UdevMonitorMessage.murmurHash2("disk").bigEndian, Array.init))
        #expect(UdevMonitorMessage.properties(of: event, seqnum: 3) == [
            "ACTION=change", "DEVPATH=/devices/virtual/block/loop0", "SUBSYSTEM=block", "DEVTYPE=disk", "SEQNUM=3",
        ])
    }
}
