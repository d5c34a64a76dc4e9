import Compatibility
import SystemPackage

/// The management side of the compatibility interfaces, as libvirt or Nova
/// would implement it over any sysfs tree.
///
/// Rules for every flavour: when the target is an mdev type directory, the
/// source's mdev type must be the same (and the source's type attributes
/// are read); a missing attribute, a failed read or a failed write means
/// incompatible.
///
/// - `migration_version`: read the source's string, write it to the target;
///   the target's answer is the verdict. Both strings are decoded with the
///   driver formats to name the field that differs.
/// - `json`: read both `migration_compatibility` objects; the target's
///   description judges the source's by its own `rules`.
/// - `compatible`: read both sides' `device_api`, `software_version`,
///   `compatible_*`; the September 2020 rules decide. A differing field the
///   target lists in `dynamic_resources` comes with a hint to copy it.
public struct MigrationChecker<Access: SysfsAccess>: Sendable {
    public let access: Access
    /// The drivers' `migration_version` formats, to explain a refused string.
    public let codecs: [any MigrationVersionCodec]

    public init(access: Access, codecs: [any MigrationVersionCodec]) {
        self.access = access
        self.codecs = codecs
    }

    public struct UsageError: Error, CustomStringConvertible {
        public let description: String
    }

    public func check(source: String, target: String, flavour: InterfaceFlavour) throws(UsageError) -> CheckResult {
        guard let sourceNode = DeviceNode(path: source, access: access) else {
            throw UsageError(description: "\(source) is not an mdev, a PCI function or an mdev type directory")
        }
        guard let targetNode = DeviceNode(path: target, access: access) else {
            throw UsageError(description: "\(target) is not an mdev, a PCI function or an mdev type directory")
        }
        return check(sourceNode, targetNode, flavour: flavour)
    }

    public func check(_ source: DeviceNode, _ target: DeviceNode, flavour: InterfaceFlavour) -> CheckResult {
        func result(_ verdict: CompatibilityVerdict, observation: String? = nil) -> CheckResult {
            CheckResult(flavour: flavour, source: source.path, target: target.path, verdict: verdict,
                        observation: observation)
        }
        var sourceDirectory = source.path
        if target.kind == .mdevType {
            guard let sourceType = source.typeID, let typeDirectory = source.typeDirectory else {
                return result(.incompatible(Incompatibility(field: CompatibilityField.mdevTypeName, reason: .missing,
                                                            target: target.typeID)),
                              observation: "a \(source.kind.rawValue) has no mdev type to match the target type")
            }
            guard sourceType == target.typeID else {
                return result(.incompatible(Incompatibility(field: CompatibilityField.mdevTypeName,
                                                            reason: .differs(.equal), source: sourceType,
                                                            target: target.typeID)),
                              observation: "the type-node check needs the same mdev type")
            }
            sourceDirectory = typeDirectory
        }
        switch flavour {
        case .migrationVersion: return readAndTest(source, from: sourceDirectory, target)
        case .json: return compareJSON(source, from: sourceDirectory, target)
        case .compatible: return compareAttributes(source, from: sourceDirectory, target)
        }
    }

    // MARK: migration_version

    private func readAndTest(_ source: DeviceNode, from directory: String, _ target: DeviceNode) -> CheckResult {
        let name = InterfaceFlavour.migrationVersion.attributeName
        let sourcePath = joinPath(directory, name)
        let targetPath = joinPath(target.path, name)
        func result(_ verdict: CompatibilityVerdict, _ observation: String, sourceText: String? = nil,
                    targetText: String? = nil) -> CheckResult {
            CheckResult(flavour: .migrationVersion, source: source.path, target: target.path, verdict: verdict,
                        observation: observation, sourceText: sourceText, targetText: targetText)
        }
        let written: String
        switch access.read(sourcePath) {
        case .success(let text): written = text
        case .failure(let error):
            return result(.incompatible(unreadable(error, side: "source", flavour: .migrationVersion)),
                          "reading \(sourcePath) failed: \(error)")
        }
        let shown = written.hasSuffix("\n") ? String(written.dropLast()) : written
        guard access.exists(targetPath) else {
            return result(.incompatible(unreadable(.noSuchFileOrDirectory, side: "target", flavour: .migrationVersion)),
                          "\(targetPath) does not exist", sourceText: shown)
        }
        let targetText = try? access.value(targetPath).get()
        switch access.write(targetPath, written) {
        case .success:
            return result(.compatible, "the target accepted the source's string", sourceText: shown, targetText: targetText)
        case .failure(let error):
            let explained = explain(source: shown, target: targetText)
            return result(.incompatible(explained ?? Incompatibility(field: name, reason: .differs(.equal),
                                                                     source: shown, target: targetText)),
                          "writing it to \(targetPath) failed: \(error)"
                              + (explained == nil ? "; no driver format explains why" : ""),
                          sourceText: shown, targetText: targetText)
        }
    }

    /// The field that differs, from the strings decoded with the driver
    /// formats: the target's format when it reads both, otherwise each
    /// string's own, or why the target's format cannot read the source.
    private func explain(source: String, target: String?) -> Incompatibility? {
        guard let target, let decodedTarget = codecs.decode(target) else { return nil }
        let codec = decodedTarget.codec
        do throws(Incompatibility) {
            return codec.judge(try codec.parse(source), target: decodedTarget.description).incompatibility
        } catch {
            guard let decodedSource = codecs.decode(source) else { return error }
            return decodedTarget.description.judge(decodedSource.description).incompatibility
        }
    }

    // MARK: json

    private func compareJSON(_ source: DeviceNode, from directory: String, _ target: DeviceNode) -> CheckResult {
        let name = InterfaceFlavour.json.attributeName
        var texts: [String] = []
        var descriptions: [CompatibilityDescription] = []
        for (side, path) in [("source", joinPath(directory, name)), ("target", joinPath(target.path, name))] {
            let text: String
            switch access.value(path) {
            case .success(let value): text = value
            case .failure(let error):
                return CheckResult(flavour: .json, source: source.path, target: target.path,
                                   verdict: .incompatible(unreadable(error, side: side, flavour: .json)),
                                   observation: "reading \(path) failed: \(error)")
            }
            texts.append(text)
            do throws(Incompatibility) {
                descriptions.append(try CompatibilityJSON.parse(text))
            } catch {
                return CheckResult(flavour: .json, source: source.path, target: target.path, verdict: .incompatible(error),
                                   observation: "the \(side)'s object is unreadable")
            }
        }
        let verdict = descriptions[1].judge(descriptions[0])
        return CheckResult(flavour: .json, source: source.path, target: target.path, verdict: verdict,
                           hint: hint(verdict, target: target, dynamic: descriptions[1].fields
                               .filter { $0.placement == .instance }.map(\.name)),
                           sourceText: texts[0], targetText: texts[1])
    }

    // MARK: compatible

    private func compareAttributes(_ source: DeviceNode, from directory: String, _ target: DeviceNode) -> CheckResult {
        var sides: [[(name: String, value: String)]] = []
        for (side, path) in [("source", directory), ("target", target.path)] {
            let names = (access.list(path) ?? []).filter {
                $0 == "device_api" || CompatibleAttributes.isFlavourAttribute($0)
            }
            guard names.contains(CompatibleAttributes.versionName) else {
                let missing = unreadable(.noSuchFileOrDirectory, side: side, flavour: .compatible)
                return CheckResult(flavour: .compatible, source: source.path, target: target.path,
                                   verdict: .incompatible(missing),
                                   observation: "\(joinPath(path, CompatibleAttributes.versionName)) does not exist")
            }
            var attributes: [(name: String, value: String)] = []
            for name in names {
                switch access.value(joinPath(path, name)) {
                case .success(let value): attributes.append((name, value))
                case .failure(let error):
                    return CheckResult(flavour: .compatible, source: source.path, target: target.path,
                                       verdict: .incompatible(unreadable(error, side: side, flavour: .compatible)),
                                       observation: "reading \(joinPath(path, name)) failed: \(error)")
                }
            }
            sides.append(attributes)
        }
        let verdict = CompatibleAttributes.judge(source: sides[0], target: sides[1])
        let dynamic = sides[1].first { $0.name == CompatibleAttributes.dynamicResourcesName }
            .map { CompatibleAttributes.list($0.value) } ?? []
        return CheckResult(flavour: .compatible, source: source.path, target: target.path, verdict: verdict,
                           hint: hint(verdict, target: target, dynamic: dynamic))
    }

    // MARK: Helpers

    private func unreadable(_ error: Errno, side: String, flavour: InterfaceFlavour) -> Incompatibility {
        Incompatibility(field: flavour.attributeName, reason: .unavailable("the \(side)'s: \(error)"))
    }

    private func hint(_ verdict: CompatibilityVerdict, target: DeviceNode, dynamic: [String]) -> String? {
        guard let reason = verdict.incompatibility, dynamic.contains(reason.field) else { return nil }
        return "\(reason.field) is a dynamic resource: write the source's value to "
            + "\(joinPath(target.path, reason.field)) to make the target compatible"
    }
}
