import Primitives

/// A JSON value as the genesis reader needs it. Numbers keep their literal text: genesis
/// balances are 256-bit integers, which a Double-based parser would silently round.
enum GenesisJSON: Equatable {
    case object([String: GenesisJSON])
    case array([GenesisJSON])
    case string(String)
    /// The number exactly as written (for example `1000000000000000000000`).
    case number(String)
    case bool(Bool)
    case null

    /// A short name of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .object: return "object"
        case .array: return "array"
        case .string: return "string"
        case .number: return "number"
        case .bool: return "boolean"
        case .null: return "null"
        }
    }

    /// Parses a complete JSON document (RFC 8259); trailing non-space text is an error.
    static func parse(_ bytes: [UInt8]) throws(GenesisError) -> GenesisJSON {
        var parser = Parser(bytes: bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.offset == bytes.count else { throw parser.failure("unexpected text after the document") }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var offset = 0
        /// Genesis files are shallow; the bound stops hostile nesting from exhausting the stack.
        static let maxDepth = 64

        init(bytes: [UInt8]) { self.bytes = bytes }

        func failure(_ reason: String) -> GenesisError { .invalidJSON(offset: offset, reason: reason) }

        mutating func skipSpace() {
            while offset < bytes.count, [0x20, 0x09, 0x0a, 0x0d].contains(bytes[offset]) { offset += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(GenesisError) {
            guard offset < bytes.count, bytes[offset] == byte else {
                throw failure("expected '\(Character(Unicode.Scalar(byte)))'")
            }
            offset += 1
        }

        mutating func value(depth: Int) throws(GenesisError) -> GenesisJSON {
            guard depth < Self.maxDepth else { throw failure("nesting deeper than \(Self.maxDepth)") }
            guard offset < bytes.count else { throw failure("unexpected end of input") }
            switch bytes[offset] {
            case UInt8(ascii: "{"): return try object(depth: depth)
            case UInt8(ascii: "["): return try array(depth: depth)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw failure("unexpected character")
            }
        }

        mutating func literal(_ word: String) throws(GenesisError) {
            for byte in word.utf8 { try expect(byte) }
        }

        mutating func object(depth: Int) throws(GenesisError) -> GenesisJSON {
            try expect(UInt8(ascii: "{"))
            var members = [String: GenesisJSON]()
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object(members) }
            while true {
                skipSpace()
                let keyOffset = offset
                let key = try string()
                skipSpace()
                try expect(UInt8(ascii: ":"))
                skipSpace()
                let member = try value(depth: depth + 1)
                // Duplicate keys are ambiguous (which balance counts?), so they are refused.
                guard members.updateValue(member, forKey: key) == nil else {
                    throw .invalidJSON(offset: keyOffset, reason: "duplicate key \"\(key)\"")
                }
                skipSpace()
                guard offset < bytes.count else { throw failure("unterminated object") }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                try expect(UInt8(ascii: "}"))
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(GenesisError) -> GenesisJSON {
            try expect(UInt8(ascii: "["))
            var elements = [GenesisJSON]()
            skipSpace()
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
            while true {
                skipSpace()
                elements.append(try value(depth: depth + 1))
                skipSpace()
                guard offset < bytes.count else { throw failure("unterminated array") }
                if bytes[offset] == UInt8(ascii: ",") { offset += 1; continue }
                try expect(UInt8(ascii: "]"))
                return .array(elements)
            }
        }

        mutating func number() throws(GenesisError) -> String {
            let start = offset
            if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            let isDigit = { (b: UInt8) in b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") }
            let digitsStart = offset
            while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
            guard offset > digitsStart else { throw failure("number without digits") }
            if bytes[digitsStart] == UInt8(ascii: "0"), offset - digitsStart > 1 {
                throw .invalidJSON(offset: digitsStart, reason: "number with a leading zero")
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
                offset += 1
                let fractionStart = offset
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
                guard offset > fractionStart else { throw failure("fraction without digits") }
            }
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "e") || bytes[offset] == UInt8(ascii: "E") {
                offset += 1
                if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") {
                    offset += 1
                }
                let exponentStart = offset
                while offset < bytes.count, isDigit(bytes[offset]) { offset += 1 }
                guard offset > exponentStart else { throw failure("exponent without digits") }
            }
            return String(decoding: bytes[start..<offset], as: UTF8.self)
        }

        mutating func string() throws(GenesisError) -> String {
            try expect(UInt8(ascii: "\""))
            var scalars = String.UnicodeScalarView()
            var raw = [UInt8]()
            func flush() { scalars.append(contentsOf: String(decoding: raw, as: UTF8.self).unicodeScalars); raw.removeAll() }
            while true {
                guard offset < bytes.count else { throw failure("unterminated string") }
                let byte = bytes[offset]
                offset += 1
                switch byte {
                case UInt8(ascii: "\""):
                    flush()
                    return String(scalars)
                case UInt8(ascii: "\\"):
                    flush()
                    scalars.append(try escape())
                case 0x00..<0x20:
                    offset -= 1
                    throw failure("control character in string")
                default:
                    raw.append(byte)
                }
            }
        }

        mutating func escape() throws(GenesisError) -> Unicode.Scalar {
            guard offset < bytes.count else { throw failure("unterminated escape") }
            let byte = bytes[offset]
            offset += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let first = try hex4()
                if (0xD800..<0xDC00).contains(first) {
                    // A UTF-16 surrogate pair spelled as two escapes.
                    try expect(UInt8(ascii: "\\"))
                    try expect(UInt8(ascii: "u"))
                    let second = try hex4()
                    guard (0xDC00..<0xE000).contains(second) else { throw failure("unpaired surrogate") }
                    let combined = 0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
                    guard let scalar = Unicode.Scalar(combined) else { throw failure("invalid code point") }
                    return scalar
                }
                guard let scalar = Unicode.Scalar(first) else { throw failure("unpaired surrogate") }
                return scalar
            default:
                offset -= 1
                throw failure("invalid escape")
            }
        }

        mutating func hex4() throws(GenesisError) -> UInt32 {
            guard bytes.count - offset >= 4 else { throw failure("truncated \\u escape") }
            var value: UInt32 = 0
            for _ in 0..<4 {
                guard let nibble = Hex.nibbleValue(bytes[offset]) else { throw failure("invalid \\u escape") }
                value = value << 4 | UInt32(nibble)
                offset += 1
            }
            return value
        }
    }
}

private extension Hex {
    static func nibbleValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
