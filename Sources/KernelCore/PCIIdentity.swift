import Support
/// What a PCI function says it is: the IDs in its config header.
public struct PCIIdentity: Sendable, Equatable, Codable {
    public var vendor: UInt16
    public var device: UInt16
    public var subsystemVendor: UInt16
    public var subsystemDevice: UInt16
    /// 24-bit class code: base class, subclass, programming interface.
    public var classCode: UInt32
    public var revision: UInt8

    public init(vendor: UInt16, device: UInt16, subsystemVendor: UInt16? = nil, subsystemDevice: UInt16? = nil,
                classCode: UInt32, revision: UInt8 = 0) {
        self.vendor = vendor
        self.device = device
        self.subsystemVendor = subsystemVendor ?? vendor
        self.subsystemDevice = subsystemDevice ?? 0
        self.classCode = classCode & 0xff_ffff
        self.revision = revision
    }

    /// `pci:v%08Xd%08Xsv%08Xsd%08Xbc%02Xsc%02Xi%02X`, as `modalias` and `MODALIAS=` print it.
    public var modalias: String {
        "pci:v" + upperHex(vendor, 8) + "d" + upperHex(device, 8) + "sv" + upperHex(subsystemVendor, 8)
            + "sd" + upperHex(subsystemDevice, 8) + "bc" + upperHex(classCode >> 16, 2)
            + "sc" + upperHex((classCode >> 8) & 0xff, 2) + "i" + upperHex(classCode & 0xff, 2)
    }

    public var isVGA: Bool { classCode >> 8 == 0x0300 }
}
