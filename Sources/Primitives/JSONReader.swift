/// Why a text is not JSON: the byte offset of the fault and what is wrong there.
public struct JSONParseError: Error, Equatable, Sendable, CustomStringConvertible {
    public let offset: Int
    public let reason: String

    public init(offset: Int, reason: String) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String { "invalid JSON at byte \(offset): \(reason)" }
}

extension JSONValue {
    /// Containers nested deeper than this are refused unless a reader asks for another bound;
    /// the parser recurses once per level, so the bound keeps hostile input off the stack's end.
    public static let defaultMaximumDepth = 512

    /// Parses one complete JSON text (RFC 8259, strictly): no trailing text, no leading zeros,
    /// no lone surrogates, valid UTF-8 only. A key repeated within one object is refused, since
    /// which of its values counts would be a guess (a doubled genesis balance, say).
    public init(parsing bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        var reader = JSONReader(bytes: bytes, maximumDepth: maximumDepth)
        self = try reader.document()
    }

    public init(parsing bytes: [UInt8], maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) in try JSONValue(parsing: buffer, maximumDepth: maximumDepth) }
        }
        self = try result.get()
    }

    public init(parsing text: String, maximumDepth: Int = JSONValue.defaultMaximumDepth) throws(JSONParseError) {
        try self.init(parsing: Array(text.utf8), maximumDepth: maximumDepth)
    }

    /// Parses `bytes`; nil when they are not JSON (callers that only answer "not JSON").
    public static func parse(_ bytes: [UInt8]) -> JSONValue? {
        try? JSONValue(parsing: bytes)
    }
}

/// A recursive-descent reader over contiguous bytes. Strings without escapes (nearly all of
/// them: method names, hex quantities, raw transactions) become a String in one validating
/// copy; numbers keep their text.
struct JSONReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let maximumDepth: Int
    var offset = 0
    /// Members of the objects being read, innermost last: each object's dictionary is made once
    /// at its `}` with the right capacity, instead of growing (and rehashing) key by key.
    private var pendingMembers: [(key: String, value: JSONValue, offset: Int)] = []

    init(bytes: UnsafeBufferPointer<UInt8>, maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
    }

    private static let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")

    func failure(_ reason: String, at position: Int? = nil) -> JSONParseError {
        JSONParseError(offset: position ?? offset, reason: reason)
    }

    mutating func document() throws(JSONParseError) -> JSONValue {
        skipSpace()
        let value = try value(depth: 0)
        skipSpace()
        guard offset == bytes.count else { throw failure("unexpected text after the document") }
        return value
    }

    @inline(__always)
    mutating func skipSpace() {
        while offset < bytes.count {
            switch bytes[offset] {
            case 0x20, 0x0A, 0x0D, 0x09: offset += 1
            default: return
            }
        }
    }

    mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard offset < bytes.count else { throw failure("unexpected end of input") }
        switch bytes[offset] {
        case Self.quote: return .string(try string())
        case UInt8(ascii: "{"): return try object(depth: depth + 1)
        case UInt8(ascii: "["): return try array(depth: depth + 1)
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default: throw failure("unexpected character")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount
        guard bytes.count - offset >= count,
              UnsafeBufferPointer(start: word.utf8Start, count: count).elementsEqual(bytes[offset..<(offset + count)])
        else { throw failure("expected \(word)") }
        offset += count
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw failure("nesting deeper than \(maximumDepth)") }
        offset += 1
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "}") { offset += 1; return .object([:]) }
        let first = pendingMembers.count
        while true {
            guard offset < bytes.count else { throw failure("unterminated object") }
            guard bytes[offset] == Self.quote else { throw failure("expected a string key") }
            let keyOffset = offset
            let key = try string()
            skipSpace()
            guard offset < bytes.count, bytes[offset] == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
            offset += 1
            skipSpace()
            pendingMembers.append((key, try value(depth: depth), keyOffset))
            skipSpace()
            guard offset < bytes.count else { throw failure("unterminated object") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1; skipSpace()
            case UInt8(ascii: "}"):
                offset += 1
                var members = [String: JSONValue](minimumCapacity: pendingMembers.count - first)
                for member in pendingMembers[first...] where members.updateValue(member.value, forKey: member.key) != nil {
                    throw failure("duplicate key \"\(member.key)\"", at: member.offset)
                }
                pendingMembers.removeSubrange(first...)
                return .object(members)
            default: throw failure("expected ',' or '}'")
            }
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth <= maximumDepth else { throw failure("nesting deeper than \(maximumDepth)") }
        offset += 1
        var elements = [JSONValue]()
        skipSpace()
        if offset < bytes.count, bytes[offset] == UInt8(ascii: "]") { offset += 1; return .array(elements) }
        while true {
            elements.append(try value(depth: depth))
            skipSpace()
            guard offset < bytes.count else { throw failure("unterminated array") }
            switch bytes[offset] {
            case UInt8(ascii: ","): offset += 1; skipSpace()
            case UInt8(ascii: "]"): offset += 1; return .array(elements)
            default: throw failure("expected ',' or ']'")
            }
        }
    }

    /// RFC 8259 section 6, strictly: a leading zero, a bare `.` or an exponent without digits
    /// is refused (each one is something JavaScript's own reader refuses as well).
    mutating func number() throws(JSONParseError) -> JSONNumber {
        let start = offset
        if bytes[offset] == UInt8(ascii: "-") { offset += 1 }
        let digitsStart = offset
        skipDigits()
        guard offset > digitsStart else { throw failure("number without digits") }
        if bytes[digitsStart] == UInt8(ascii: "0"), offset - digitsStart > 1 {
            throw failure("number with a leading zero", at: digitsStart)
        }
        if offset < bytes.count, bytes[offset] == UInt8(ascii: ".") {
            offset += 1
            let fractionStart = offset
            skipDigits()
            guard offset > fractionStart else { throw failure("fraction without digits") }
        }
        if offset < bytes.count, bytes[offset] | 0x20 == UInt8(ascii: "e") {
            offset += 1
            if offset < bytes.count, bytes[offset] == UInt8(ascii: "+") || bytes[offset] == UInt8(ascii: "-") { offset += 1 }
            let exponentStart = offset
            skipDigits()
            guard offset > exponentStart else { throw failure("exponent without digits") }
        }
        return JSONNumber(validatedText: String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self))
    }

    @inline(__always)
    private mutating func skipDigits() {
        while offset < bytes.count, bytes[offset] &- UInt8(ascii: "0") < 10 { offset += 1 }
    }

    /// A string literal starting at the opening quote.
    mutating func string() throws(JSONParseError) -> String {
        let start = offset + 1
        var index = start
        var seen: UInt8 = 0
        // Eight bytes per step while none is a quote, a backslash, a control or a non-ASCII
        // byte: raw transactions are hundreds of plain hex digits.
        if let base = bytes.baseAddress {
            while index + 8 <= bytes.count,
                  !Self.needsAttention(UnsafeRawPointer(base + index).loadUnaligned(as: UInt64.self)) {
                index += 8
            }
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == Self.quote {
                offset = index + 1
                let run = UnsafeBufferPointer(rebasing: bytes[start..<index])
                // ASCII is valid UTF-8 as it stands; only other text needs the (generic,
                // slower) validating initialiser.
                if seen < 0x80 { return String(decoding: run, as: UTF8.self) }
                return try Self.validated(run, at: start)
            }
            if byte == Self.backslash || byte < 0x20 { break }
            seen |= byte
            index += 1
        }
        offset = index
        return try escapedString(copying: start..<index)
    }

    /// True when a byte of `word` is below 0x20, 0x22 (`"`), 0x5C (`\\`) or 0x80 and above
    /// (the usual has-zero-byte tricks, exact for these bounds).
    @inline(__always)
    private static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        func hasZero(_ v: UInt64) -> UInt64 { (v &- ones) & ~v & highs }
        let control = (word &- ones &* 0x20) & ~word & highs
        return (control | hasZero(word ^ (ones &* 0x22)) | hasZero(word ^ (ones &* 0x5C)) | (word & highs)) != 0
    }

    private static func validated(_ run: UnsafeBufferPointer<UInt8>, at start: Int) throws(JSONParseError) -> String {
        guard let text = String(validating: run, as: UTF8.self) else {
            throw JSONParseError(offset: start, reason: "invalid UTF-8 in string")
        }
        return text
    }

    /// The slow path: the string holds escapes (or is broken). `prefix` is the clean part
    /// already scanned; `offset` is at the first byte after it.
    private mutating func escapedString(copying prefix: Range<Int>) throws(JSONParseError) -> String {
        var decoded = Array(bytes[prefix])
        var runStart = offset
        while offset < bytes.count {
            let byte = bytes[offset]
            if byte == Self.quote {
                decoded.append(contentsOf: bytes[runStart..<offset])
                offset += 1
                return try decoded.withUnsafeBufferPointer { (run) throws(JSONParseError) in
                    try Self.validated(run, at: prefix.lowerBound)
                }
            }
            if byte < 0x20 { throw failure("control character in string") }
            if byte == Self.backslash {
                decoded.append(contentsOf: bytes[runStart..<offset])
                try escape(into: &decoded)
                runStart = offset
            } else {
                offset += 1
            }
        }
        throw failure("unterminated string")
    }

    /// One escape sequence at `offset` (the backslash), appended as UTF-8.
    private mutating func escape(into decoded: inout [UInt8]) throws(JSONParseError) {
        let escapeOffset = offset
        guard offset + 1 < bytes.count else { throw failure("unterminated string", at: bytes.count) }
        let letter = bytes[offset + 1]
        offset += 2
        let simple: UInt8
        switch letter {
        case Self.quote, Self.backslash, UInt8(ascii: "/"): simple = letter
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "t"): simple = 0x09
        case UInt8(ascii: "u"):
            var code = try hex4(escapeOffset)
            if (0xDC00..<0xE000).contains(code) { throw failure("unpaired surrogate", at: escapeOffset) }
            if (0xD800..<0xDC00).contains(code) {
                // Outside the BMP, JSON spells a character as a UTF-16 surrogate pair of escapes.
                guard bytes.count - offset >= 2, bytes[offset] == Self.backslash, bytes[offset + 1] == UInt8(ascii: "u") else {
                    throw failure("unpaired surrogate", at: escapeOffset)
                }
                offset += 2
                let low = try hex4(offset - 2)
                guard (0xDC00..<0xE000).contains(low) else { throw failure("unpaired surrogate", at: escapeOffset) }
                code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
            }
            // Every value left is a scalar: surrogates were handled above.
            decoded.append(contentsOf: Unicode.Scalar(code)!.utf8)
            return
        default:
            throw failure("invalid escape", at: escapeOffset)
        }
        decoded.append(simple)
    }

    private mutating func hex4(_ escapeOffset: Int) throws(JSONParseError) -> UInt32 {
        guard bytes.count - offset >= 4 else { throw failure("invalid \\u escape", at: escapeOffset) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[offset]
            let nibble: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = byte - UInt8(ascii: "A") + 10
            default: throw failure("invalid \\u escape", at: escapeOffset)
            }
            value = value << 4 | UInt32(nibble)
            offset += 1
        }
        return value
    }
}
