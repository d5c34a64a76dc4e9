import SystemPackage

/// One row of GVT's fixed vGPU type table (`vgpu.c`).
struct GVTType: Sendable, Equatable {
    /// e.g. `GVTg_V5_4`; the directory is `i915-GVTg_V5_4`.
    let name: String
    let lowMB: Int
    let highMB: Int
    let fences: Int
    let weight: Int
    let resolution: String

    /// The five lines of `description`.
    var description: String {
        "low_gm_size: \(lowMB)MB\nhigh_gm_size: \(highMB)MB\nfence: \(fences)\nresolution: \(resolution)\nweight: \(weight)"
    }

    static func table(prefix: String) -> [GVTType] {
        [GVTType(name: prefix + "8", lowMB: 64, highMB: 384, fences: 4, weight: 2, resolution: "1024x768"),
         GVTType(name: prefix + "4", lowMB: 128, highMB: 512, fences: 4, weight: 4, resolution: "1920x1200"),
         GVTType(name: prefix + "2", lowMB: 256, highMB: 1024, fences: 4, weight: 8, resolution: "1920x1200"),
         GVTType(name: prefix + "1", lowMB: 512, highMB: 2048, fences: 4, weight: 16, resolution: "1920x1200")]
    }
}

/// The one pool every vGPU of a GPU draws from: graphics aperture (low GM),
/// hidden GM and fence registers, after the host's own share, and vGPU IDs
/// 1 to 7 (`GVT_MAX_VGPU` 8, ID 0 is the idle vGPU).
struct GVTResources: Sendable {
    static let ggttMB = 4096
    static let hostLowMB = 128
    static let hostHighMB = 384
    static let totalFences = 32
    static let hostFences = 4
    static let maxVGPUs = 7

    let apertureMB: Int
    private(set) var usedLowMB = 0
    private(set) var usedHighMB = 0
    private(set) var usedFences = 0

    init(apertureMB: Int) { self.apertureMB = apertureMB }

    var freeLowMB: Int { apertureMB - Self.hostLowMB - usedLowMB }
    var freeHighMB: Int { Self.ggttMB - apertureMB - Self.hostHighMB - usedHighMB }
    var freeFences: Int { Self.totalFences - Self.hostFences - usedFences }

    /// The types offered: the table in order, up to the first whose aperture
    /// share does not fit even once; larger types are absent, not shown with 0.
    static func offeredTypes(_ table: [GVTType], apertureMB: Int) -> [GVTType] {
        Array(table.prefix { $0.lowMB <= apertureMB - hostLowMB })
    }

    /// `intel_vgpu_get_available`: the smallest of the three pools' counts.
    func available(_ type: GVTType) -> Int {
        max(0, min(freeLowMB / type.lowMB, freeHighMB / type.highMB, freeFences / type.fences))
    }

    /// `alloc_resource`: ENOSPC when any pool is short.
    mutating func reserve(_ type: GVTType) throws(Errno) {
        guard available(type) > 0 else { throw .noSpace }
        usedLowMB += type.lowMB
        usedHighMB += type.highMB
        usedFences += type.fences
    }

    mutating func release(_ type: GVTType) {
        usedLowMB -= type.lowMB
        usedHighMB -= type.highMB
        usedFences -= type.fences
    }
}
