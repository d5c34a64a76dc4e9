extension StringProtocol {
    /// The text without the given characters at either end, e.g. `trimming(" ", "\t")`.
    public func trimming(_ characters: Character...) -> String {
        String(drop { characters.contains($0) }.reversed().drop { characters.contains($0) }.reversed())
    }
}
