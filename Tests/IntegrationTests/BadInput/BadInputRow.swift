import Testing
import SysfsTree
import SystemPackage

/// One write(2) of bad (or borderline) input to an attribute, with the
/// kernel's answer: the errno, or the count returned and what the attribute
/// then shows.
struct BadInputRow: Sendable {
    let input: [UInt8]
    /// How the input reads in a table, e.g. `"1\n"` or `4096 × '1'`.
    let label: String
    let kernel: Result<Int, Errno>
    /// What the attribute shows after an accepted write, when it can be read.
    let shows: [UInt8]?
    /// False for an accepted write that changes nothing, which the table's restore must not undo.
    var changesState = true

    init(_ input: [UInt8], label: String? = nil, _ kernel: Result<Int, Errno>, shows: String? = nil) {
        self.input = input
        self.label = label ?? ByteText.quoted(input)
        self.kernel = kernel
        self.shows = shows.map { Array($0.utf8) }
    }

    init(_ text: String, _ kernel: Result<Int, Errno>, shows: String? = nil) {
        self.init(Array(text.utf8), kernel, shows: shows)
    }

    init(_ input: [UInt8], label: String? = nil, _ kernel: Result<Int, Errno>, showsBytes: [UInt8]) {
        self.input = input
        self.label = label ?? ByteText.quoted(input)
        self.kernel = kernel
        self.shows = showsBytes
    }

    /// `count` copies of `byte`.
    static func repeated(_ byte: Character, _ count: Int, then tail: String = "",
                         _ kernel: Result<Int, Errno>, shows: String? = nil) -> BadInputRow {
        let bytes = [UInt8](repeating: byte.asciiValue ?? 0, count: count) + Array(tail.utf8)
        let label = "\(count) × '\(byte)'" + (tail.isEmpty ? "" : " + " + ByteText.quoted(Array(tail.utf8)))
        return BadInputRow(bytes, label: label, kernel, shows: shows)
    }

    /// An accepted write: the whole input is consumed.
    static func accepted(_ text: String, shows: String? = nil) -> BadInputRow {
        BadInputRow(text, .success(text.utf8.count), shows: shows)
    }

    static func accepted(_ bytes: [UInt8], shows: String? = nil) -> BadInputRow {
        BadInputRow(bytes, .success(bytes.count), shows: shows)
    }

    /// An accepted write that leaves the state as it was (e.g. `0` to `remove`).
    static func unchanged(_ text: String) -> BadInputRow {
        var row = BadInputRow(text, .success(text.utf8.count))
        row.changesState = false
        return row
    }

    static func refused(_ text: String, _ errno: Errno) -> BadInputRow {
        BadInputRow(text, .failure(errno))
    }

    static func refused(_ bytes: [UInt8], _ errno: Errno) -> BadInputRow {
        BadInputRow(bytes, .failure(errno))
    }
}

/// What the tests look at to decide that a write changed nothing.
enum Probe: Sendable {
    /// An attribute's content.
    case content(String)
    /// A directory's names.
    case listing(String)
    /// A symlink's target.
    case link(String)
}

/// Every row tried on one attribute, and how to see the state it guards.
struct BadInputTable: Sendable, CustomTestStringConvertible {
    /// The attribute as the table names it, e.g. `sriov_numvfs`.
    let attribute: String
    /// Where it is below the mount, e.g. `/bus/pci/devices/0000:3b:00.0/sriov_numvfs`.
    let path: String
    /// Writes (path, text) that set the scene before the rows.
    var setup: [(String, String)] = []
    /// The state a refused write must leave as it was.
    let probes: [Probe]
    /// Writes (path, text) that undo an accepted row.
    let restore: [(String, String)]
    let rows: [BadInputRow]

    var testDescription: String { attribute }
}

/// Renders bytes for test messages and the reliability table.
enum ByteText {
    static func quoted(_ bytes: [UInt8]) -> String {
        if bytes.isEmpty { return "empty" }
        var text = "\""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"): text += "\\n"
            case UInt8(ascii: "\t"): text += "\\t"
            case UInt8(ascii: "\r"): text += "\\r"
            case 0: text += "\\0"
            case UInt8(ascii: "\""): text += "\\\""
            case UInt8(ascii: "|"): text += "\\|"
            case 0x20..<0x7f: text.append(Character(Unicode.Scalar(byte)))
            default: text += "\\x" + (byte < 16 ? "0" : "") + String(byte, radix: 16)
            }
        }
        return text + "\""
    }

    /// A content shown in a message: quoted, or its length and first bytes when long.
    static func summary(_ bytes: [UInt8]) -> String {
        bytes.count <= 64 ? quoted(bytes) : "\(bytes.count) bytes " + quoted(Array(bytes.prefix(16))) + "…"
    }

    static func result(_ result: Result<Int, Errno>) -> String {
        switch result {
        case .success(let count): return "accepted, returns \(count)"
        case .failure(let error): return errnoName(error)
        }
    }

    static func errnoName(_ error: Errno) -> String {
        switch error {
        case .invalidArgument: return "EINVAL"
        case .outOfRange: return "ERANGE"
        case .noDevice: return "ENODEV"
        case .resourceBusy: return "EBUSY"
        case .fileExists: return "EEXIST"
        case .noSpace: return "ENOSPC"
        case .ioError: return "EIO"
        case .noSuchFileOrDirectory: return "ENOENT"
        case .permissionDenied: return "EACCES"
        case .notPermitted: return "EPERM"
        default: return "errno \(error.rawValue)"
        }
    }
}
