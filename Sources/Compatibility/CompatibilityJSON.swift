import Support
/// The `json` flavour: Alex Williamson's compatibility object (July 2020),
/// one line in the read-only attribute `migration_compatibility`:
///
///     {"device_api": "vfio-pci", "vendor": "i915",
///      "version": {"major": 1, "minor": 0, "bugfix": 0},
///      "vfio-pci": {"vendor": "8086", "device": "591d"},
///      "mdev_type": "i915-GVTg_V5_4", "mdev_attrs": [], "vendor_fields": [],
///      "rules": {"vendor": "equal", "device": "equal", "software_version": "equal", "mdev_type": "equal"}}
///
/// `vendor` is the vendor driver; the section named after the device API
/// holds the exposed device's IDs as hex text; `mdev_attrs` the settings
/// userspace copies to a target; `vendor_fields` everything else, one
/// single-key object each. `rules` names every field in the order a target
/// checks them with how it judges them (`equal`, `at_least`,
/// `semantic_version`, `superset`), so userspace can decide without asking
/// the device; `device_api` and `vendor` must always be equal. The attribute
/// is read-only: the proposal's point was that userspace parses and decides,
/// and a write-test would be a second opaque interface.
public enum CompatibilityJSON {
    public static let attributeName = "migration_compatibility"

    public static func render(_ description: CompatibilityDescription) -> String {
        func members(_ placement: CompatibilityField.Placement) -> [CompatibilityField] {
            description.fields.filter { $0.placement == placement }
        }
        var object: [JSONValue.Member] = [
            .init(key: "device_api", value: .string(description.deviceAPI)),
            .init(key: "vendor", value: .string(description.driver)),
        ]
        if let version = members(.version).first, case .version(let value) = version.value {
            object.append(.init(key: "version", value: .object([
                .init(key: "major", value: .number(UInt64(value.major))),
                .init(key: "minor", value: .number(UInt64(value.minor))),
                .init(key: "bugfix", value: .number(UInt64(value.bugfix))),
            ])))
        }
        object.append(.init(key: description.deviceAPI,
                            value: .object(members(.deviceID).map { .init(key: $0.name, value: json($0.value)) })))
        if let type = members(.mdevType).first { object.append(.init(key: "mdev_type", value: json(type.value))) }
        object.append(.init(key: "mdev_attrs", value: .array(members(.instance).map(singleKey))))
        object.append(.init(key: "vendor_fields", value: .array(members(.vendor).map(singleKey))))
        object.append(.init(key: "rules", value: .object(description.fields.map {
            .init(key: $0.name, value: .string($0.rule.rawValue))
        })))
        return JSONValue.object(object).text
    }

    public static func parse(_ text: String) throws(Incompatibility) -> CompatibilityDescription {
        do throws(FormatFailure) {
            return try description(from: JSONValue.parse(text))
        } catch {
            throw .format(error.reason)
        }
    }

    private static func description(from document: JSONValue) throws(FormatFailure) -> CompatibilityDescription {
        guard case .object(let members) = document else { throw FormatFailure(reason: "expected an object") }
        guard case .string(let deviceAPI)? = document["device_api"], !deviceAPI.isEmpty else {
            throw FormatFailure(reason: "`device_api` missing")
        }
        guard case .string(let driver)? = document["vendor"] else { throw FormatFailure(reason: "`vendor` missing") }
        let known: Set<String> = ["device_api", "vendor", "version", deviceAPI, "mdev_type", "mdev_attrs",
                                  "vendor_fields", "rules"]
        if let stray = members.first(where: { !known.contains($0.key) }) {
            throw FormatFailure(reason: "unknown key `\(stray.key)`")
        }
        var values: [String: (CompatibilityField.Placement, CompatibilityValue)] = [:]
        func add(_ name: String, _ placement: CompatibilityField.Placement,
                 _ value: CompatibilityValue) throws(FormatFailure) {
            guard values[name] == nil else { throw FormatFailure(reason: "field `\(name)` appears twice") }
            values[name] = (placement, value)
        }
        if let version = document["version"] {
            try add(CompatibilityField.versionName, .version, .version(try semanticVersion(version)))
        }
        if let section = document[deviceAPI] {
            guard case .object(let ids) = section else { throw FormatFailure(reason: "`\(deviceAPI)` is not an object") }
            for id in ids { try add(id.key, .deviceID, try value(id.value, of: id.key)) }
        }
        if let type = document["mdev_type"] {
            try add(CompatibilityField.mdevTypeName, .mdevType, try value(type, of: "mdev_type"))
        }
        for (key, placement) in [("mdev_attrs", CompatibilityField.Placement.instance), ("vendor_fields", .vendor)] {
            guard let list = document[key] else { continue }
            guard case .array(let items) = list else { throw FormatFailure(reason: "`\(key)` is not a list") }
            for item in items {
                guard case .object(let pair) = item, pair.count == 1, let only = pair.first else {
                    throw FormatFailure(reason: "`\(key)` holds single-key objects")
                }
                try add(only.key, placement, try value(only.value, of: only.key))
            }
        }
        guard case .object(let rules)? = document["rules"] else { throw FormatFailure(reason: "`rules` missing") }
        var fields: [CompatibilityField] = []
        for rule in rules {
            guard case .string(let name) = rule.value, let judged = CompatibilityRule(rawValue: name) else {
                throw FormatFailure(reason: "rule of `\(rule.key)` unknown")
            }
            guard let (placement, value) = values.removeValue(forKey: rule.key) else {
                throw FormatFailure(reason: "rule for `\(rule.key)`, which has no value")
            }
            fields.append(CompatibilityField(name: rule.key, rule: judged, placement: placement, value: value))
        }
        if let unruled = values.keys.sorted().first { throw FormatFailure(reason: "`\(unruled)` has no rule") }
        return CompatibilityDescription(deviceAPI: deviceAPI, driver: driver, fields: fields)
    }

    private static func json(_ value: CompatibilityValue) -> JSONValue {
        switch value {
        case .text(let text): return .string(text)
        case .number(let number): return .number(number)
        case .version(let version): return .string(version.description)
        case .set(let members): return .array(members.sorted().map(JSONValue.string))
        }
    }

    private static func singleKey(_ field: CompatibilityField) -> JSONValue {
        .object([.init(key: field.name, value: json(field.value))])
    }

    private static func value(_ json: JSONValue, of name: String) throws(FormatFailure) -> CompatibilityValue {
        switch json {
        case .string(let text): return .text(text)
        case .number(let number): return .number(number)
        case .array(let items):
            var members = Set<String>()
            for item in items {
                guard case .string(let member) = item else { throw FormatFailure(reason: "`\(name)` lists only text") }
                members.insert(member)
            }
            return .set(members)
        default: throw FormatFailure(reason: "`\(name)` has an unusable value")
        }
    }

    private static func semanticVersion(_ json: JSONValue) throws(FormatFailure) -> SemanticVersion {
        guard case .object(let parts) = json,
              Set(parts.map(\.key)).isSubset(of: ["major", "minor", "bugfix"]) else {
            throw FormatFailure(reason: "`version` holds major, minor and bugfix")
        }
        func part(_ key: String) throws(FormatFailure) -> UInt32 {
            switch json[key] {
            case nil: return 0
            case .number(let number)? where number <= UInt64(UInt32.max): return UInt32(number)
            default: throw FormatFailure(reason: "`version.\(key)` is not a whole number")
            }
        }
        guard json["major"] != nil, json["minor"] != nil else {
            throw FormatFailure(reason: "`version` needs major and minor")
        }
        return SemanticVersion(try part("major"), try part("minor"), try part("bugfix"))
    }
}
