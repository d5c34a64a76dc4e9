import Compatibility
import Foundation
import KernelCore
import Support
import Yams

extension DeclaredDriver {
    /// Reads and checks the driver file at `path`; refusals are `file:line: reason`.
    public static func load(contentsOf path: String) throws(ScenarioError) -> DeclaredDriver {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioError(file: path, line: 0, reason: "cannot read the driver file: \(error.localizedDescription)")
        }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml: String, file: String) throws(ScenarioError) -> DeclaredDriver {
        try DeclaredDriverParser(reader: YAMLReader(file: file)).parse(yaml: yaml)
    }
}

/// Reads a driver file into a `DeclaredDriver`, refusing what could not work
/// at the line it is about.
struct DeclaredDriverParser {
    let reader: YAMLReader

    func parse(yaml: String) throws(ScenarioError) -> DeclaredDriver {
        do throws(YAMLShape.Excess) {
            try YAMLShape.check(yaml, maximumNodes: 100_000)
        } catch {
            throw reader.error(line: error.line, error.reason)
        }
        let document: YAMLNode?
        do {
            document = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw ScenarioParser(reader: reader, drivers: { _ in nil }, driverNames: []).syntaxError(error)
        } catch {
            throw reader.error(line: 1, "not YAML: \(error)")
        }
        guard let document else { throw reader.error(line: 1, "the driver file is empty: it needs at least `driver` and `identity`") }
        let top = try reader.fields(document, of: "the driver", allowed: [
            "driver", "identity", "bars", "link", "sriov", "settings", "attributes", "compatibility",
        ])
        guard let nameNode = top["driver"] else { throw reader.error(document, "the driver has no `driver` name") }
        let name = try reader.text(nameNode, what: "`driver`")
        guard name.utf8.count <= 64, !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw reader.error(nameNode, "`driver` is lowercase letters, digits, - and _ (at most 64)")
        }
        guard let identityNode = top["identity"] else { throw reader.error(document, "the driver has no `identity`") }
        let (identity, kernelDriver) = try parseIdentity(identityNode)
        var bars: [UInt64] = []
        if let node = top["bars"] {
            for bar in try reader.sequence(node, what: "`bars`") {
                let size = try number(bar, what: "a BAR size", in: 16...(1 << 40))
                guard size & (size - 1) == 0 else { throw reader.error(bar, "a BAR size is a power of two") }
                bars.append(size)
            }
            guard bars.count <= 6 else { throw reader.error(node, "a function has at most 6 BARs") }
        }
        var declared = DeclaredDriver(name: name, identity: identity, kernelDriver: kernelDriver, bars: bars,
                                      sriov: try top["sriov"].map { node throws(ScenarioError) in try parseSRIOV(node) },
                                      settings: [], attributes: [], compatibility: nil)
        if let node = top["link"] {
            let link = try reader.fields(node, of: "`link`", allowed: ["generation", "width"])
            guard let generation = link["generation"], let width = link["width"] else {
                throw reader.error(node, "`link` needs `generation` and `width`")
            }
            declared.link = PCIeLink(generation: try reader.integer(generation, what: "`generation`", in: 1...6),
                                     width: try reader.integer(width, what: "`width`", in: 1...32))
        }
        if let node = top["settings"] { declared.settings = try parseSettings(node, declared: declared) }
        if let node = top["attributes"] {
            for entry in try reader.sequence(node, what: "`attributes`") {
                declared.attributes.append(try parseAttribute(entry, declared: declared))
            }
        }
        if let node = top["compatibility"] { declared.compatibility = try parseCompatibility(node, declared: declared) }
        declared.source = yaml
        return declared
    }

    // MARK: Identity, SR-IOV

    private func parseIdentity(_ node: YAMLNode) throws(ScenarioError) -> (PCIIdentity, String?) {
        let fields = try reader.fields(node, of: "`identity`", allowed: [
            "vendor", "device", "subsystem_vendor", "subsystem_device", "class", "revision", "kernel_driver",
        ])
        func id(_ key: String) throws(ScenarioError) -> UInt16? {
            try fields[key].map { node throws(ScenarioError) in UInt16(try number(node, what: "`\(key)`", in: 0...0xffff)) }
        }
        guard let vendor = try id("vendor"), let device = try id("device") else {
            throw reader.error(node, "`identity` needs `vendor` and `device`")
        }
        let classCode = try fields["class"].map { node throws(ScenarioError) in
            UInt32(try number(node, what: "`class`", in: 0...0xff_ffff))
        } ?? 0xff0000
        let revision = try fields["revision"].map { node throws(ScenarioError) in
            UInt8(try number(node, what: "`revision`", in: 0...0xff))
        } ?? 0
        let kernelDriver = try fields["kernel_driver"].map { node throws(ScenarioError) in
            try kernelName(node, what: "`kernel_driver`")
        }
        return (PCIIdentity(vendor: vendor, device: device, subsystemVendor: try id("subsystem_vendor"),
                            subsystemDevice: try id("subsystem_device"), classCode: classCode, revision: revision),
                kernelDriver)
    }

    private func parseSRIOV(_ node: YAMLNode) throws(ScenarioError) -> DeclaredDriver.SRIOV {
        let fields = try reader.fields(node, of: "`sriov`", allowed: [
            "total_vfs", "max_vfs", "offset", "stride", "vf_device", "vf_driver",
        ])
        guard let totalNode = fields["total_vfs"], let deviceNode = fields["vf_device"] else {
            throw reader.error(node, "`sriov` needs `total_vfs` and `vf_device`")
        }
        let total = Int(try number(totalNode, what: "`total_vfs`", in: 1...255))
        let maxVFs = try fields["max_vfs"].map { node throws(ScenarioError) in
            Int(try number(node, what: "`max_vfs`", in: UInt64(total)...255))
        } ?? total
        return DeclaredDriver.SRIOV(
            totalVFs: total, maxVFs: maxVFs,
            offset: UInt16(try fields["offset"].map { node throws(ScenarioError) in try number(node, what: "`offset`", in: 1...255) } ?? 1),
            stride: UInt16(try fields["stride"].map { node throws(ScenarioError) in try number(node, what: "`stride`", in: 1...255) } ?? 1),
            vfDevice: UInt16(try number(deviceNode, what: "`vf_device`", in: 0...0xffff)),
            vfDriver: try fields["vf_driver"].map { node throws(ScenarioError) in try kernelName(node, what: "`vf_driver`") })
    }

    // MARK: Settings

    private func parseSettings(_ node: YAMLNode, declared: DeclaredDriver) throws(ScenarioError) -> [DeclaredSetting] {
        guard let mapping = node.mapping else { throw reader.error(node, "`settings` must be a mapping of names to settings") }
        var settings: [DeclaredSetting] = []
        for (key, value) in mapping {
            guard let name = key.scalar?.string, isFieldName(name) else {
                throw reader.error(key, "a setting's name is lowercase letters, digits and _")
            }
            let reserved = ["total_vfs", "initial_vfs", "migration"]
            guard !reserved.contains(name) else { throw reader.error(key, "'\(name)' is a built-in setting") }
            guard !settings.contains(where: { $0.name == name }) else { throw reader.error(key, "setting '\(name)' is given twice") }
            settings.append(try parseSetting(name, value))
        }
        return settings
    }

    private func parseSetting(_ name: String, _ node: YAMLNode) throws(ScenarioError) -> DeclaredSetting {
        let fields = try reader.fields(node, of: "setting '\(name)'", allowed: [
            "kind", "default", "meaning", "min", "max", "max_length", "values", "schemes",
        ])
        guard let kindNode = fields["kind"] else { throw reader.error(node, "setting '\(name)' has no `kind`") }
        let kindName = try reader.text(kindNode, what: "`kind`")
        let kind: DeclaredSetting.Kind
        func names(_ key: String) throws(ScenarioError) -> [String] {
            guard let node = fields[key] else { throw reader.error(kindNode, "a \(kindName) setting needs `\(key)`") }
            var items: [String] = []
            for item in try reader.sequence(node, what: "`\(key)`") {
                let text = try reader.text(item, what: "an entry of `\(key)`")
                guard !items.contains(text) else { throw reader.error(item, "'\(text)' is listed twice") }
                guard !text.contains(","), !text.contains(" ") else { throw reader.error(item, "no commas or spaces in a value") }
                items.append(text)
            }
            guard !items.isEmpty else { throw reader.error(node, "`\(key)` is empty") }
            return items
        }
        let maxLength = try fields["max_length"].map { node throws(ScenarioError) in
            try reader.integer(node, what: "`max_length`", in: 1...4095)
        } ?? 255
        switch kindName {
        case "version": kind = .version
        case "integer":
            let low = try fields["min"].map { node throws(ScenarioError) in try reader.integer(node, what: "`min`", in: Int.min...Int.max) } ?? 0
            let high = try fields["max"].map { node throws(ScenarioError) in try reader.integer(node, what: "`max`", in: low...Int.max) } ?? Int.max
            kind = .integer(low...high)
        case "boolean": kind = .boolean
        case "text": kind = .text(maxLength: maxLength)
        case "token": kind = .token(maxLength: maxLength)
        case "enum": kind = .choice(try names("values"))
        case "url": kind = .url(schemes: try names("schemes"))
        case "mask":
            let members = try names("values")
            guard members.count <= 64 else { throw reader.error(fields["values"], "a mask has at most 64 members") }
            kind = .mask(members: members)
        default:
            throw reader.error(kindNode, "unknown kind '\(kindName)' (known: version, integer, boolean, text, token, enum, url, mask)")
        }
        guard let defaultNode = fields["default"] else { throw reader.error(node, "setting '\(name)' has no `default`") }
        var setting = DeclaredSetting(name: name, kind: kind, defaultValue: .text(""), meaning: "")
        switch setting.value(from: try reader.setting(defaultNode, key: name)) {
        case .success(let value): setting.defaultValue = value
        case .failure(let problem): throw reader.error(defaultNode, "the default of '\(name)': \(problem.reason)")
        }
        let meaning = try fields["meaning"].map { node throws(ScenarioError) in try reader.text(node, what: "`meaning`") }
        setting.meaning = (meaning ?? setting.expectation) + " (default \(setting.defaultValue.text))"
        return setting
    }

    // MARK: Attributes

    private func parseAttribute(_ node: YAMLNode, declared: DeclaredDriver) throws(ScenarioError) -> DeclaredDriver.Attribute {
        let fields = try reader.fields(node, of: "an attribute", allowed: ["name", "on", "mode", "show", "store"])
        guard let nameNode = fields["name"], let showNode = fields["show"] else {
            throw reader.error(node, "an attribute needs `name` and `show`")
        }
        let name = try reader.text(nameNode, what: "`name`")
        guard isFieldName(name), !declared.attributes.contains(where: { $0.name == name }) else {
            throw reader.error(nameNode, "an attribute's name is lowercase letters, digits and _, once")
        }
        let location = try self.location(fields["on"], default: declared.sriov == nil ? .function : .vf)
        let show = try template(showNode, declared: declared)
        var store: DeclaredDriver.Attribute.Store?
        if let storeNode = fields["store"] {
            let storeFields = try reader.fields(storeNode, of: "`store`", allowed: ["setting", "parser", "errno"])
            guard let settingNode = storeFields["setting"] else { throw reader.error(storeNode, "`store` needs `setting`") }
            let settingName = try reader.text(settingNode, what: "`setting`")
            guard let setting = declared.setting(named: settingName) else {
                throw reader.error(settingNode, "no setting named '\(settingName)'")
            }
            let parserName = try storeFields["parser"].map { node throws(ScenarioError) in try reader.text(node, what: "`parser`") } ?? "text"
            guard let parser = DeclaredDriver.Attribute.Parser(rawValue: parserName) else {
                throw reader.error(storeFields["parser"], "unknown parser '\(parserName)' (known: text, kstrtoul, kstrtobool, tokens)")
            }
            switch (parser, setting.kind) {
            case (.kstrtoul, .integer), (.kstrtobool, .boolean), (.tokens, .mask), (.text, _): break
            default: throw reader.error(storeFields["parser"], "\(parserName) cannot set '\(settingName)', a setting of another kind")
            }
            var errno = EINVAL
            if let errnoNode = storeFields["errno"] {
                let text = try reader.text(errnoNode, what: "`errno`")
                guard let value = ErrnoNames.value(of: text) else { throw reader.error(errnoNode, "unknown errno '\(text)'") }
                errno = value
            }
            store = .init(setting: settingName, parser: parser, errno: errno)
        }
        let mode = try fields["mode"].map { node throws(ScenarioError) in
            UInt16(try number(node, what: "`mode`", in: 0...0o666))
        } ?? (store == nil ? 0o444 : 0o644)
        guard (mode & 0o222 != 0) == (store != nil) else {
            throw reader.error(fields["mode"] ?? node, "a writable mode needs a `store`, and a `store` a writable mode")
        }
        return .init(name: name, location: location, mode: mode, show: show, store: store)
    }

    private func template(_ node: YAMLNode, declared: DeclaredDriver) throws(ScenarioError) -> SettingTemplate {
        let text = try reader.text(node, what: "`show`")
        switch SettingTemplate.parse(text) {
        case .failure(let problem): throw reader.error(node, "`show`: \(problem.reason)")
        case .success(let template):
            if let unknown = template.settingNames.first(where: { declared.setting(named: $0) == nil }) {
                throw reader.error(node, "`show` names no setting '\(unknown)'")
            }
            return template
        }
    }

    private func location(_ node: YAMLNode?, default fallback: DeclaredDriver.Location) throws(ScenarioError) -> DeclaredDriver.Location {
        guard let node else { return fallback }
        let text = try reader.text(node, what: "`on`")
        guard let location = DeclaredDriver.Location(rawValue: text) else {
            throw reader.error(node, "`on` is `function` or `vf`")
        }
        return location
    }

    // MARK: Compatibility

    private func parseCompatibility(_ node: YAMLNode, declared: DeclaredDriver) throws(ScenarioError) -> DeclaredDriver.Compatibility {
        let fields = try reader.fields(node, of: "`compatibility`", allowed: ["driver", "device_api", "on", "fields", "migration_version"])
        guard let fieldsNode = fields["fields"], let partsNode = fields["migration_version"] else {
            throw reader.error(node, "`compatibility` needs `fields` and `migration_version`")
        }
        let driver = try fields["driver"].map { node throws(ScenarioError) in try kernelName(node, what: "`driver`") }
            ?? declared.kernelDriver ?? declared.name
        let deviceAPI = try fields["device_api"].map { node throws(ScenarioError) in try kernelName(node, what: "`device_api`") } ?? "vfio-pci"
        let location = try self.location(fields["on"], default: declared.sriov == nil ? .function : .vf)
        if location == .vf, declared.sriov == nil { throw reader.error(fields["on"], "`on: vf` needs `sriov`") }
        var schemaFields: [CompatibilitySchema.Field] = []
        var sources: [String: DeclaredDriver.Source] = [:]
        var lines: [String: YAMLNode] = [:]
        for entry in try reader.sequence(fieldsNode, what: "`fields`") {
            let field = try reader.fields(entry, of: "a field", allowed: ["name", "rule", "placement", "from"])
            guard let nameNode = field["name"], let ruleNode = field["rule"], let fromNode = field["from"] else {
                throw reader.error(entry, "a field needs `name`, `rule` and `from`")
            }
            let name = try reader.text(nameNode, what: "`name`")
            guard sources[name] == nil else { throw reader.error(nameNode, "field '\(name)' is given twice") }
            let ruleName = try reader.text(ruleNode, what: "`rule`")
            guard let rule = CompatibilityRule(rawValue: ruleName) else {
                throw reader.error(ruleNode, "unknown rule '\(ruleName)' (known: \(CompatibilityRule.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            let defaultPlacement: CompatibilityField.Placement = name == CompatibilityField.versionName ? .version : .vendor
            let placementName = try field["placement"].map { node throws(ScenarioError) in try reader.text(node, what: "`placement`") }
                ?? defaultPlacement.rawValue
            guard let placement = CompatibilityField.Placement(rawValue: placementName) else {
                throw reader.error(field["placement"], "unknown placement '\(placementName)' (known: "
                                   + CompatibilityField.Placement.allCases.map(\.rawValue).joined(separator: ", ") + ")")
            }
            let from = try reader.text(fromNode, what: "`from`")
            if let key = DeclaredDriver.IdentityKey(rawValue: from) {
                sources[name] = .identity(key)
            } else if declared.setting(named: from) != nil {
                sources[name] = .setting(from)
            } else {
                throw reader.error(fromNode, "`from` names an identity key (\(DeclaredDriver.IdentityKey.allCases.map(\.rawValue).joined(separator: ", "))) or a setting; '\(from)' is neither")
            }
            lines[name] = entry
            schemaFields.append(.init(name, rule, placement))
        }
        let schema = CompatibilitySchema(deviceAPI: deviceAPI, driver: driver, fields: schemaFields)
        var parts: [TemplateCodec.Part] = []
        let entries = try reader.sequence(partsNode, what: "`migration_version`")
        for (index, entry) in entries.enumerated() {
            parts.append(try part(entry, isLast: index == entries.count - 1, sources: sources, declared: declared))
        }
        let used = Set(parts.compactMap { if case .field(let name, _) = $0 { return name } else { return nil } })
        if let missing = schemaFields.first(where: { !used.contains($0.name) }) {
            throw reader.error(lines[missing.name], "field '\(missing.name)' is not in `migration_version`: the string could not carry it")
        }
        let compatibility = DeclaredDriver.Compatibility(location: location, codec: TemplateCodec(schema: schema, parts: parts),
                                                         sources: sources)
        // The defaults must make a description every flavour can render, and a string that reads back as itself.
        let description = declared.describe(compatibility) { declared.setting(named: $0)?.defaultValue }
        if let problem = description.problems.first {
            let name = String(problem.prefix { $0 != ":" })
            throw reader.error(lines[name] ?? fieldsNode, problem)
        }
        let string = compatibility.codec.render(description)
        let readBack: CompatibilityDescription
        do throws(Incompatibility) {
            readBack = try compatibility.codec.parse(string)
        } catch {
            throw reader.error(partsNode, "the defaults' string `\(string)` does not read back: \(error)")
        }
        guard readBack == description else { throw reader.error(partsNode, "`\(string)` reads back as another description") }
        return compatibility
    }

    private func part(_ node: YAMLNode, isLast: Bool, sources: [String: DeclaredDriver.Source],
                      declared: DeclaredDriver) throws(ScenarioError) -> TemplateCodec.Part {
        let fields = try reader.fields(node, of: "a `migration_version` part", allowed: [
            "literal", "field", "format", "digits", "max_length", "prefix",
        ])
        if let literal = fields["literal"] {
            guard fields.entries.count == 1 else { throw reader.error(node, "a literal part has only `literal`") }
            let text = try reader.text(literal, what: "`literal`")
            guard !text.hasPrefix("-"), !text.hasSuffix("-"), !text.contains("--"), !text.contains("\n") else {
                throw reader.error(literal, "a literal neither starts nor ends with a dash")
            }
            return .literal(text)
        }
        guard let fieldNode = fields["field"], let formatNode = fields["format"] else {
            throw reader.error(node, "a part is `literal: TEXT` or `field: NAME` with `format`")
        }
        let name = try reader.text(fieldNode, what: "`field`")
        guard let source = sources[name] else { throw reader.error(fieldNode, "no field named '\(name)' in `fields`") }
        let formatName = try reader.text(formatNode, what: "`format`")
        func digits() throws(ScenarioError) -> Int {
            guard let node = fields["digits"] else { throw reader.error(formatNode, "format \(formatName) needs `digits`") }
            return try reader.integer(node, what: "`digits`", in: 1...16)
        }
        let format: TemplateCodec.Format
        switch formatName {
        case "hex": format = .hexText(digits: try digits())
        case "token":
            let prefix = try fields["prefix"].map { node throws(ScenarioError) in try reader.text(node, what: "`prefix`") } ?? ""
            format = .token(prefix: prefix, maxLength: try fields["max_length"].map { node throws(ScenarioError) in
                try reader.integer(node, what: "`max_length`", in: 1...4095)
            } ?? 255)
        case "version": format = .version
        case "hex_major": format = .hexMajor(digits: try digits())
        case "decimal": format = .decimal
        case "mask":
            guard case .setting(let setting) = source, case .mask(let members)? = declared.setting(named: setting)?.kind else {
                throw reader.error(formatNode, "format mask needs a field from a mask setting")
            }
            format = .mask(digits: try digits(), bits: Dictionary(uniqueKeysWithValues: members.enumerated().map { ($0.offset, $0.element) }))
        case "rest":
            guard isLast else { throw reader.error(formatNode, "format rest takes everything left: it must be the last part") }
            format = .rest
        default:
            throw reader.error(formatNode, "unknown format '\(formatName)' (known: hex, token, version, hex_major, decimal, mask, rest)")
        }
        return .field(name, format)
    }

    // MARK: Scalars

    /// A whole number written in decimal or as `0x` hex.
    private func number(_ node: YAMLNode, what: String, in range: ClosedRange<UInt64>) throws(ScenarioError) -> UInt64 {
        let text = try reader.text(node, what: what)
        let value = text.hasPrefix("0x") ? UInt64(text.dropFirst(2), radix: 16)
            : text.hasPrefix("0o") ? UInt64(text.dropFirst(2), radix: 8)
            : text.count > 1 && text.hasPrefix("0") ? UInt64(text.dropFirst(), radix: 8) : UInt64(text)
        guard let value, range.contains(value) else {
            throw reader.error(node, "\(what) must be a number from \(range.lowerBound) to 0x\(String(range.upperBound, radix: 16))")
        }
        return value
    }

    private func kernelName(_ node: YAMLNode, what: String) throws(ScenarioError) -> String {
        let text = try reader.text(node, what: what)
        guard text.utf8.count <= 64, text.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_+".contains($0)) }) else {
            throw reader.error(node, "\(what) is letters, digits, -, _ and + (at most 64)")
        }
        return text
    }

    private func isFieldName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 64 && name.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_") }
    }
}
