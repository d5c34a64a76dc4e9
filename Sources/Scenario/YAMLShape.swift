import CYaml

/// A YAML document's nesting depth and node count, measured from libyaml's
/// event stream (which keeps its state on the heap) before anything composes
/// it: the composer recurses once per level, so a few thousand `[` would
/// otherwise overflow the stack of whichever thread reads the document.
public enum YAMLShape {
    /// Far above any scenario (hosts, devices, settings: under ten levels).
    public static let maximumDepth = 64
    /// Scalars, aliases and collections; about 130 bytes each once composed.
    public static let maximumNodes = 1_000_000

    public struct Excess: Error, Sendable, Equatable {
        /// 1-based line of the node that went past the limit.
        public let line: Int
        public let reason: String
    }

    /// Refuses a document nested deeper than `maximumDepth` or with more than
    /// `maximumNodes` nodes. A syntax error ends the count without complaint:
    /// the composer reports it, with its own message, before reaching it.
    public static func check(_ yaml: String, maximumDepth: Int = maximumDepth,
                             maximumNodes: Int = maximumNodes) throws(Excess) {
        var bytes = Array(yaml.utf8)
        if bytes.isEmpty { return }
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return }
        defer { yaml_parser_delete(&parser) }
        yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
        let excess: Excess? = bytes.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return nil }
            yaml_parser_set_input_string(&parser, base, buffer.count)
            var depth = 0
            var nodes = 0
            var event = yaml_event_t()
            while yaml_parser_parse(&parser, &event) == 1 {
                defer { yaml_event_delete(&event) }
                let line = Int(event.start_mark.line) + 1
                switch event.type {
                case YAML_STREAM_END_EVENT:
                    return nil
                case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                    depth += 1
                    nodes += 1
                    if depth > maximumDepth { return Excess(line: line, reason: "nested deeper than \(maximumDepth) levels") }
                case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                    depth -= 1
                case YAML_SCALAR_EVENT, YAML_ALIAS_EVENT:
                    nodes += 1
                default:
                    break
                }
                if nodes > maximumNodes { return Excess(line: line, reason: "more than \(maximumNodes) YAML nodes") }
            }
            return nil
        }
        if let excess { throw excess }
    }
}
