extension JSONValue {
    /// Compact JSON text: no whitespace, object keys sorted by their UTF-8 bytes, numbers as
    /// written, strings through `JSONString`. The same value always prints the same bytes.
    public var serialized: String {
        var out = ""
        write(to: &out, canonicalNumbers: false)
        return out
    }

    /// `serialized`, with every number in one spelling per value: integer literals as they are,
    /// other numbers through Double in `JSONNumber(Double)`'s form, so `2.0` prints `2` and
    /// `-1.5e-9` prints `-1.5e-09`. ML hashes these bytes (architecture, hyper-parameters), and
    /// a document read back from disk must hash like the one that was written.
    public var canonicalString: String {
        var out = ""
        write(to: &out, canonicalNumbers: true)
        return out
    }

    public func write(to out: inout String, canonicalNumbers: Bool = false) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .number(let number): out += canonicalNumbers ? number.canonicalText : number.text
        case .string(let text): JSONString.append(text, to: &out)
        case .array(let items):
            out += "["
            var first = true
            for item in items {
                if !first { out += "," }
                first = false
                item.write(to: &out, canonicalNumbers: canonicalNumbers)
            }
            out += "]"
        case .object(let members):
            out += "{"
            var first = true
            for key in members.keys.sorted(by: JSONValue.keyOrder) {
                if !first { out += "," }
                first = false
                JSONString.append(key, to: &out)
                out += ":"
                members[key]!.write(to: &out, canonicalNumbers: canonicalNumbers)
            }
            out += "}"
        }
    }
}

extension JSONValue {
    /// For files people read (audit reports, the company index): two-space indentation, one
    /// member or element per line, keys sorted as in `serialized`; empty containers stay `{}`/`[]`.
    public var prettyPrinted: String {
        var out = ""
        writePretty(to: &out, indent: "")
        return out
    }

    private func writePretty(to out: inout String, indent: String) {
        let inner = indent + "  "
        switch self {
        case .array(let items) where !items.isEmpty:
            out += "[\n"
            for (index, item) in items.enumerated() {
                out += inner
                item.writePretty(to: &out, indent: inner)
                out += index == items.count - 1 ? "\n" : ",\n"
            }
            out += indent + "]"
        case .object(let members) where !members.isEmpty:
            out += "{\n"
            let keys = members.keys.sorted(by: JSONValue.keyOrder)
            for (index, key) in keys.enumerated() {
                out += inner
                JSONString.append(key, to: &out)
                out += ": "
                members[key]!.writePretty(to: &out, indent: inner)
                out += index == keys.count - 1 ? "\n" : ",\n"
            }
            out += indent + "}"
        default:
            write(to: &out)
        }
    }
}

extension JSONValue {
    /// Object keys in the order of their UTF-8 bytes: stable across platforms and Unicode
    /// versions, unlike String's `<` (which compares canonical equivalents as equal).
    static func keyOrder(_ a: String, _ b: String) -> Bool {
        // Native strings hand out their bytes directly; bridged ones take the slow walk.
        let fast = a.utf8.withContiguousStorageIfAvailable { first in
            b.utf8.withContiguousStorageIfAvailable { second in
                first.lexicographicallyPrecedes(second)
            }
        }
        return (fast ?? nil) ?? a.utf8.lexicographicallyPrecedes(b.utf8)
    }
}

extension JSONNumber {
    /// See `JSONValue.canonicalString`.
    var canonicalText: String {
        if isPlainInteger { return text == "-0" ? "0" : text }
        // Finite here unless the text is beyond Double's range, which has no canonical spelling.
        return Double(text).flatMap { JSONNumber($0)?.text } ?? text
    }
}
