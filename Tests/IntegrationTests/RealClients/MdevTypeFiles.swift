/// The files of a parent's `mdev_supported_types`, as a script prints them
/// with `MdevTypeFiles.shellFunction`, and what mdevctl and libvirt should make of them.
struct MdevTypeFiles: Equatable {
    let id: String
    let availableInstances: Int
    let deviceAPI: String
    let name: String?
    /// The lines of `description`.
    let description: [String]?

    /// A shell function: `type_files DIR` prints every type of DIR (a
    /// `mdev_supported_types` directory) as `type ID` followed by `file: content`
    /// lines, a multi-line content joined by `|`.
    static let shellFunction = #"""
        type_files() {
            for t in "$1"/*; do
                [ -d "$t" ] || continue
                echo "type ${t##*/}"
                for f in available_instances device_api name description; do
                    if [ -e "$t/$f" ]; then printf '%s: ' "$f"; paste -sd'|' "$t/$f"; fi
                done
            done
        }

        """#

    static func parse(_ text: String) -> [MdevTypeFiles] {
        var types: [MdevTypeFiles] = []
        var id: String?
        var files: [String: String] = [:]
        func finish() {
            guard let id else { return }
            types.append(MdevTypeFiles(id: id, availableInstances: Int(files["available_instances"] ?? "") ?? -1,
                                       deviceAPI: files["device_api"] ?? "",
                                       name: files["name"],
                                       description: files["description"].map { $0.split(separator: "|", omittingEmptySubsequences: false).map(String.init) }))
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("type ") {
                finish()
                id = String(line.dropFirst(5))
                files = [:]
            } else if let separator = line.firstRange(of: ": ") {
                files[String(line[..<separator.lowerBound])] = String(line[separator.upperBound...])
            }
        }
        finish()
        return types
    }

    /// `mdevctl types -p PARENT` for these types (mdevctl 1.2: types sorted by id,
    /// description lines joined by ", ", a blank line after the parent).
    static func mdevctlTypes(parent: String, _ types: [MdevTypeFiles]) -> String {
        var text = parent + "\n"
        for type in types.sorted(by: { Array($0.id.utf8).lexicographicallyPrecedes(Array($1.id.utf8)) }) {
            text += "  \(type.id)\n    Available instances: \(type.availableInstances)\n    Device API: \(type.deviceAPI)\n"
            if let name = type.name { text += "    Name: \(name)\n" }
            if let description = type.description { text += "    Description: \(description.joined(separator: ", "))\n" }
        }
        return text + "\n"
    }

    /// The `<type>` element `virsh nodedev-dumpxml` prints for this type in `mdev_types`
    /// (libvirt 9: no `<name>` without a `name` file; `description` is not read).
    var libvirtXML: String {
        "      <type id='\(id)'>\n"
            + (name.map { "        <name>\($0)</name>\n" } ?? "")
            + "        <deviceAPI>\(deviceAPI)</deviceAPI>\n"
            + "        <availableInstances>\(availableInstances)</availableInstances>\n"
            + "      </type>\n"
    }
}
