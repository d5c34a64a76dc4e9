import Support
/// A set of CPU numbers below `nr_cpu_ids`, printed as the kernel prints a cpumask.
public struct CPUMask: Sendable, Equatable {
    /// `nr_cpu_ids`: how many bits the printed map has.
    public let width: Int
    private var words: [UInt32]

    public init(width: Int, cpus: some Sequence<Int> = []) {
        self.width = max(1, width)
        words = Array(repeating: 0, count: (self.width + 31) / 32)
        for cpu in cpus { insert(cpu) }
    }

    public mutating func insert(_ cpu: Int) {
        guard cpu >= 0, cpu < width else { return }
        words[cpu / 32] |= UInt32(1) << UInt32(cpu % 32)
    }

    public mutating func remove(_ cpu: Int) {
        guard cpu >= 0, cpu < width else { return }
        words[cpu / 32] &= ~(UInt32(1) << UInt32(cpu % 32))
    }

    public func contains(_ cpu: Int) -> Bool {
        guard cpu >= 0, cpu < width else { return false }
        return words[cpu / 32] & (UInt32(1) << UInt32(cpu % 32)) != 0
    }

    public func intersection(_ other: CPUMask) -> CPUMask {
        var result = self
        for index in result.words.indices {
            result.words[index] &= index < other.words.count ? other.words[index] : 0
        }
        return result
    }

    public var cpus: [Int] { (0..<width).filter(contains) }
    public var isEmpty: Bool { words.allSatisfy { $0 == 0 } }

    /// `%*pb`: 32-bit groups, most significant first, separated by commas;
    /// the first group has only the digits the remaining bits need.
    public var mapText: String {
        var groups: [String] = []
        for index in words.indices.reversed() {
            let bits = index == words.count - 1 && width % 32 != 0 ? width % 32 : 32
            groups.append(hex(words[index], (bits + 3) / 4))
        }
        return groups.joined(separator: ",") + "\n"
    }

    /// `%*pbl`: ranges such as `0-3,8-11`; an empty mask prints nothing.
    public var listText: String {
        var ranges: [String] = []
        var cpu = 0
        while cpu < width {
            guard contains(cpu) else { cpu += 1; continue }
            var last = cpu
            while last + 1 < width && contains(last + 1) { last += 1 }
            ranges.append(last == cpu ? "\(cpu)" : "\(cpu)-\(last)")
            cpu = last + 1
        }
        return ranges.joined(separator: ",") + "\n"
    }
}
