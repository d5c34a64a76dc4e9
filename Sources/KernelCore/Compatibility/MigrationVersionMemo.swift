#if canImport(Glibc)
import Compatibility
import Glibc
#endif
import Support
import SysfsTree

/// What a `migration_version` attribute remembers: its last rendering, and
/// the refusal of the last string written to it, each with the description
/// it came from. A driver hands back the same description until its state
/// changes, and a management stack writes the same source string again and
/// again, so a repeated read or write costs a comparison.
final class MigrationVersionMemo: Sendable {
    private struct Rendering {
        let description: CompatibilityDescription
        let text: String
    }

    private struct Judged {
        let target: CompatibilityDescription
        let written: [UInt8]
        let refusal: String?
    }

    /// Longer strings are judged every time rather than kept (a fleet has many attributes).
    private static let longestRemembered = 256

    private struct Memory {
        var rendering: Rendering?
        var lastJudged: Judged?

        func text(of description: CompatibilityDescription) -> String? {
            guard let rendering, rendering.description == description else { return nil }
            return rendering.text
        }

        func refusal(of written: ArraySlice<UInt8>, target: CompatibilityDescription) -> String?? {
            guard let lastJudged, MigrationVersionMemo.same(lastJudged.written[...], written),
                  lastJudged.target == target else { return nil }
            return .some(lastJudged.refusal)
        }
    }

    private let codec: any MigrationVersionCodec
    private let subject: String
    private let memory = Locked(Memory())

    init(codec: any MigrationVersionCodec, subject: String) {
        self.codec = codec
        self.subject = subject
    }

    func text(of description: CompatibilityDescription) -> String {
        if let text = memory.withLock({ $0.text(of: description) }) { return text }
        return render(description)
    }

    private func render(_ description: CompatibilityDescription) -> String {
        let text = codec.render(description)
        memory.withLock { $0.rendering = Rendering(description: description, text: text) }
        return text
    }

    private static func same(_ text: String, _ bytes: ArraySlice<UInt8>) -> Bool {
        var text = text
        return text.withUTF8 { same($0, bytes) }
    }

    private static func same(_ mine: ArraySlice<UInt8>, _ bytes: ArraySlice<UInt8>) -> Bool {
        mine.withUnsafeBufferPointer { same($0, bytes) }
    }

    private static func same(_ mine: UnsafeBufferPointer<UInt8>, _ bytes: ArraySlice<UInt8>) -> Bool {
        mine.count == bytes.count && bytes.withUnsafeBufferPointer { theirs in
            guard let mine = mine.baseAddress, let theirs = theirs.baseAddress else { return true }
            return memcmp(mine, theirs, bytes.count) == 0
        }
    }

    /// The log line refusing what was written, or nil when the target takes it.
    func refusal(of input: StoreInput, target: CompatibilityDescription) -> String? {
        let written = input.cString
        let (known, remembered) = memory.withLock { ($0.text(of: target), $0.refusal(of: written, target: target)) }
        let targetText = known ?? render(target)
        // The target's own string needs no memory; keeping it would push out the string it is tested against.
        if Self.same(targetText, written.last == UInt8(ascii: "\n") ? written.dropLast() : written) {
            return nil
        }
        if let remembered { return remembered }
        let verdict = MigrationVersionTest.judge(input, target: target, codec: codec, targetText: targetText)
        let refusal = verdict.incompatibility.map { "\(subject): migration_version refused: \($0)" }
        if written.count <= Self.longestRemembered {
            memory.withLock { $0.lastJudged = Judged(target: target, written: Array(written), refusal: refusal) }
        }
        return refusal
    }
}
