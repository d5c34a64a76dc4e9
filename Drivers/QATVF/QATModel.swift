/// The QAT PF models with in-tree PF drivers and VFs that `qat_vfio_pci` binds.
struct QATModel: Sendable {
    let pfDevice: UInt16
    let vfDevice: UInt16
    /// The PF's kernel driver, which also names its mdev types.
    let kernelDriver: String
    let generation: String

    static let all: [QATModel] = [
        QATModel(pfDevice: 0x4940, vfDevice: 0x4941, kernelDriver: "4xxx", generation: "gen4"),
        QATModel(pfDevice: 0x4942, vfDevice: 0x4943, kernelDriver: "4xxx", generation: "gen4"),
        QATModel(pfDevice: 0x4944, vfDevice: 0x4945, kernelDriver: "4xxx", generation: "gen4"),
        QATModel(pfDevice: 0x4946, vfDevice: 0x4947, kernelDriver: "420xx", generation: "gen4"),
        QATModel(pfDevice: 0x4948, vfDevice: 0x4949, kernelDriver: "6xxx", generation: "gen6"),
    ]

    /// GEN4 and GEN6 have 64 ring pairs in bundles of 4, one bundle per VF.
    static let ringPairs = 64
    static let ringPairsPerBundle = 4
    static var bundles: Int { ringPairs / ringPairsPerBundle }
}
