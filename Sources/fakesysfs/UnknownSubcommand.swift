import ArgumentParser

/// A word where a subcommand belongs that names none, with the nearest name
/// as a suggestion (`fakesysfs mout` → did you mean `mount`?). ArgumentParser
/// suggests options but reports a mistyped subcommand as unexpected arguments.
struct UnknownSubcommand: CustomStringConvertible {
    let word: String
    let command: String
    let known: [String]

    var description: String {
        let suggestion = known.min { distance(word, $0) < distance(word, $1) }
            .flatMap { distance(word, $0) <= max(2, word.count / 3) ? $0 : nil }
        let hint = suggestion.map { "; did you mean '\($0)'?" } ?? " (known: \(known.joined(separator: ", ")))"
        return "unknown command '\(word)' for '\(command)'\(hint)"
    }

    /// Follows the subcommand words from the root; the first word that is
    /// neither an option nor a known subcommand of a command that has some.
    static func find(in arguments: [String], under root: ParsableCommand.Type) -> UnknownSubcommand? {
        var command = root
        var path = [root._commandName]
        for word in arguments {
            let subcommands = command.configuration.subcommands
            if subcommands.isEmpty || word.hasPrefix("-") { return nil }
            if word == "help" { return nil }
            guard let next = subcommands.first(where: { $0._commandName == word }) else {
                return UnknownSubcommand(word: word, command: path.joined(separator: " "),
                                         known: subcommands.filter { $0.configuration.shouldDisplay }.map { $0._commandName })
            }
            command = next
            path.append(word)
        }
        return nil
    }

    /// Levenshtein distance.
    private func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(Swift.min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}
