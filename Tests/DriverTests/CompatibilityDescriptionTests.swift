import Compatibility
import KernelCore
import Testing

@Suite("Compatibility description")
struct CompatibilityDescriptionTests {
    static let schema = CompatibilitySchema(driver: "demo", fields: [
        .init("vendor", .equal, .deviceID),
        .init(CompatibilityField.versionName, .semanticVersion, .version),
        .init("features", .superset, .vendor),
        .init("level", .atLeast, .vendor),
        .init("url", .equal, .instance),
    ])

    static func demo(version: SemanticVersion = SemanticVersion(1, 2, 3), features: Set<String> = ["a", "b"],
                     level: UInt64 = 3, url: String = "x://y") -> CompatibilityDescription {
        schema.describe(["vendor": .text("1234"), "software_version": .version(version), "features": .set(features),
                         "level": .number(level), "url": .text(url)])
    }

    @Test("rules", arguments: [
        (CompatibilityRule.equal, CompatibilityValue.text("a"), CompatibilityValue.text("a"), true),
        (.equal, .text("a"), .text("b"), false),
        (.atLeast, .number(3), .number(3), true), (.atLeast, .number(3), .number(4), true),
        (.atLeast, .number(4), .number(3), false),
        (.semanticVersion, .version(SemanticVersion(1, 2, 9)), .version(SemanticVersion(1, 3, 0)), true),
        (.semanticVersion, .version(SemanticVersion(1, 3, 0)), .version(SemanticVersion(1, 2, 9)), false),
        (.semanticVersion, .version(SemanticVersion(1, 0, 0)), .version(SemanticVersion(2, 0, 0)), false),
        (.superset, .set(["a"]), .set(["a", "b"]), true), (.superset, .set(["a", "c"]), .set(["a", "b"]), false),
        (.atLeast, .text("3"), .number(3), false),
    ])
    func rule(rule: CompatibilityRule, source: CompatibilityValue, target: CompatibilityValue, accepted: Bool) {
        #expect(rule.accepts(source: source, target: target) == accepted)
    }

    @Test("a verdict names the first failing field in the target's order, with both values")
    func verdict() {
        let target = Self.demo()
        #expect(target.judge(Self.demo()) == .compatible)
        #expect(target.judge(Self.demo(version: SemanticVersion(1, 3, 0), level: 9))
                == .incompatible(Incompatibility(field: "software_version", reason: .differs(.semanticVersion),
                                                 source: "1.3.0", target: "1.2.3")))
        #expect(target.judge(Self.demo(level: 4)).incompatibility?.field == "level")
        var missing = Self.demo()
        missing.fields.removeAll { $0.name == "url" }
        #expect(target.judge(missing) == .incompatible(Incompatibility(field: "url", reason: .missing, target: "x://y")))
        #expect(missing.judge(target).incompatibility == Incompatibility(field: "url", reason: .unexpected, source: "x://y"))
        var otherDriver = Self.demo()
        otherDriver.driver = "other"
        #expect(target.judge(otherDriver).incompatibility?.field == "driver")
    }

    @Test("the demo description is well formed, and broken ones are caught")
    func problems() {
        #expect(Self.demo().problems == [])
        let broken = CompatibilityDescription(driver: "x", fields: [
            CompatibilityField(name: "Bad Name", rule: .atLeast, placement: .vendor, value: .text("1")),
            CompatibilityField(name: "list", rule: .equal, placement: .vendor, value: .set(["a"])),
            CompatibilityField(name: "comma", rule: .equal, placement: .vendor, value: .text("a,b")),
        ])
        #expect(broken.problems.count == 5)
    }

    @Test("JSON renders Alex Williamson's object and reads back the same description")
    func json() throws {
        let description = Self.demo()
        let text = CompatibilityJSON.render(description)
        #expect(text == #"{"device_api": "vfio-pci", "vendor": "demo", "version": {"major": 1, "minor": 2, "bugfix": 3}, "#
                + #""vfio-pci": {"vendor": "1234"}, "mdev_attrs": [{"url": "x://y"}], "#
                + #""vendor_fields": [{"features": ["a", "b"]}, {"level": 3}], "#
                + #""rules": {"vendor": "equal", "software_version": "semantic_version", "features": "superset", "#
                + #""level": "at_least", "url": "equal"}}"#)
        #expect(try CompatibilityJSON.parse(text) == description)
        #expect(try CompatibilityJSON.parse(" \n" + text + "\t") == description)
    }

    @Test("unusable JSON is a format error", arguments: [
        "", "{", "[]", #"{"device_api": "vfio-pci"}"#, #"{"device_api": "vfio-pci", "vendor": "x", "rules": {"a": "equal"}}"#,
        #"{"device_api": "vfio-pci", "vendor": "x", "rules": {}, "extra": 1}"#,
        #"{"device_api": "vfio-pci", "vendor": "x", "vendor_fields": [{"a": 1}], "rules": {"a": "roughly"}}"#,
        #"{"device_api": "vfio-pci", "vendor": "x", "vendor_fields": [{"a": -1}], "rules": {"a": "equal"}}"#,
        #"{"device_api": "vfio-pci", "vendor": "x", "vendor_fields": [{"a": 1.5}], "rules": {"a": "equal"}}"#,
        #"{"device_api": "vfio-pci", "vendor": "x", "vendor": "y", "rules": {}}"#,
        String(repeating: "[", count: 100),
    ])
    func badJSON(text: String) {
        #expect(throws: Incompatibility.self) { try CompatibilityJSON.parse(text) }
    }

    @Test("JSON strings escape and unescape", arguments: ["a\"b", "back\\slash", "tab\tnew\nline", "\u{1}", "é ü 😀"])
    func jsonStrings(text: String) throws {
        let description = CompatibilityDescription(driver: text, fields: [.version(SemanticVersion(1))])
        #expect(try CompatibilityJSON.parse(CompatibilityJSON.render(description)) == description)
    }

    @Test("the compatible flavour renders one value per attribute")
    func compatible() {
        let rendered = CompatibleAttributes.render(Self.demo())
        #expect(rendered.map { "\($0.name)=\($0.value)" } == [
            "device_api=vfio-pci", "compatible_driver=demo", "compatible_vendor=1234", "software_version=1.2.3",
            "compatible_features=a, b", "compatible_level=0, 1, 2, 3", "compatible_url=x://y", "dynamic_resources=url",
        ])
        #expect(CompatibleAttributes.names(of: Self.schema) == rendered.map(\.name))
    }

    @Test("semantic versions parse strictly", arguments: ["1.0", "1.0.0.0", "01.0.0", "1.-1.0", "+1.0.0", "a.b.c", "1..0", "4294967296.0.0"])
    func strictVersions(text: String) {
        #expect(SemanticVersion(text) == nil)
    }
}
