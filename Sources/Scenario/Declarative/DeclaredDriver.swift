import Compatibility
import KernelCore

/// A driver described in a YAML file (see docs/declarative-drivers.md): the
/// function's identity, SR-IOV and BARs, its settings, extra attributes, and
/// the compatibility schema with its `migration_version` template.
public struct DeclaredDriver: Sendable {
    /// Where a declared attribute or the compatibility interfaces appear.
    public enum Location: String, Sendable { case function, vf }

    public struct SRIOV: Sendable {
        public var totalVFs: Int
        public var maxVFs: Int
        public var offset: UInt16
        public var stride: UInt16
        public var vfDevice: UInt16
        public var vfDriver: String?
    }

    /// One extra attribute: its text is a template of settings; a store sets one setting.
    public struct Attribute: Sendable {
        public enum Parser: String, Sendable { case text, kstrtoul, kstrtobool, tokens }
        public struct Store: Sendable {
            public var setting: String
            public var parser: Parser
            public var errno: Int32
        }
        public var name: String
        public var location: Location
        public var mode: UInt16
        public var show: SettingTemplate
        public var store: Store?
    }

    /// Where a compatibility field's value comes from.
    public enum Source: Sendable {
        case identity(IdentityKey)
        case setting(String)
    }

    public enum IdentityKey: String, Sendable, CaseIterable {
        case vendor, device, subsystemVendor = "subsystem_vendor", subsystemDevice = "subsystem_device"
        case classCode = "class", revision
    }

    public struct Compatibility: Sendable {
        public var location: Location
        public var codec: TemplateCodec
        public var sources: [String: Source]
    }

    public var name: String
    public var identity: PCIIdentity
    public var kernelDriver: String?
    public var bars: [UInt64]
    /// PCIe generation and width; nil for an integrated endpoint.
    public var link: PCIeLink? = PCIeLink(generation: 4, width: 16)
    public var sriov: SRIOV?
    public var settings: [DeclaredSetting]
    public var attributes: [Attribute]
    public var compatibility: Compatibility?
    /// The file's text, to tell an edited driver apart.
    public var source = ""

    /// The settings scenarios may give, built-in ones included.
    public var settingsHelp: [(key: String, meaning: String)] {
        var help = settings.map { ($0.name, $0.meaning) }
        if let sriov {
            help.append(("total_vfs", "sriov_totalvfs, 1 to \(sriov.maxVFs) (default \(sriov.totalVFs))"))
            help.append(("initial_vfs", "VFs enabled when the host starts (default 0)"))
        }
        if compatibility != nil {
            help.append(("migration", "whether the devices can migrate at all; false gives ENODEV (default true)"))
        }
        return help
    }

    func setting(named name: String) -> DeclaredSetting? { settings.first { $0.name == name } }
}

/// Text with `{setting}` references, e.g. `{driver_version}-{remote_url}`.
public struct SettingTemplate: Sendable {
    public enum Piece: Sendable, Equatable {
        case text(String)
        case setting(String)
    }

    public let pieces: [Piece]

    /// Nil with a reason when a brace is unbalanced.
    static func parse(_ text: String) -> Result<SettingTemplate, TemplateProblem> {
        var pieces: [Piece] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(where: { $0 == "{" || $0 == "}" }) {
            guard rest[open] == "{" else { return .failure(TemplateProblem(reason: "a `}` without its `{`")) }
            if open > rest.startIndex { pieces.append(.text(String(rest[..<open]))) }
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}") else {
                return .failure(TemplateProblem(reason: "a `{` without its `}`"))
            }
            pieces.append(.setting(String(rest[afterOpen..<close])))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { pieces.append(.text(String(rest))) }
        return .success(SettingTemplate(pieces: pieces))
    }

    var settingNames: [String] {
        pieces.compactMap { if case .setting(let name) = $0 { return name } else { return nil } }
    }

    func render(_ value: (String) -> String) -> String {
        pieces.map { piece in
            switch piece {
            case .text(let text): return text
            case .setting(let name): return value(name)
            }
        }.joined()
    }
}

struct TemplateProblem: Error { let reason: String }

extension DeclaredDriver {
    /// One line for `driver check`: the name, the settings, and the string of the defaults.
    public var summary: String {
        var parts = ["driver \(name)", "\(settings.count) settings", "\(attributes.count) attributes"]
        if let sriov { parts.append("\(sriov.totalVFs) VFs") }
        if let compatibility {
            let description = describe(compatibility) { setting(named: $0)?.defaultValue }
            parts.append("migration_version \(compatibility.codec.render(description))")
        }
        return parts.joined(separator: ", ")
    }
}
