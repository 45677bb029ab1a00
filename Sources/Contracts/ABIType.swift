/// An ABI type as the Solidity ABI specification defines it ("Types"): elementary types,
/// fixed and dynamic arrays, and tuples. `fixed`/`ufixed` and `function` are not supported.
public indirect enum ABIType: Hashable, Sendable, CustomStringConvertible {
    /// `uintN`, 8 <= N <= 256, N % 8 == 0.
    case uint(Int)
    /// `intN`, two's complement.
    case int(Int)
    case address
    case bool
    /// `bytesN`, 1 <= N <= 32, right-padded.
    case fixedBytes(Int)
    case bytes
    case string
    /// `T[k]`.
    case fixedArray(ABIType, Int)
    /// `T[]`.
    case array(ABIType)
    /// `(T1,...,Tn)`.
    case tuple([ABIType])

    /// Dynamic types are encoded out of line, behind an offset in the head.
    public var isDynamic: Bool {
        switch self {
        case .bytes, .string, .array: return true
        case .fixedArray(let element, let count): return count > 0 && element.isDynamic
        case .tuple(let components): return components.contains { $0.isDynamic }
        default: return false
        }
    }

    /// Elementary value types (not arrays, tuples, `bytes` or `string`): the only indexed event
    /// parameters whose value sits in the topic itself rather than its hash.
    public var isElementaryStatic: Bool {
        switch self {
        case .uint, .int, .address, .bool, .fixedBytes: return true
        default: return false
        }
    }

    /// Bytes the type takes in a head: 32 for dynamic types, the full inline size otherwise.
    public var headSize: Int {
        if isDynamic { return 32 }
        switch self {
        case .fixedArray(let element, let count): return element.headSize * count
        case .tuple(let components): return components.reduce(0) { $0 + $1.headSize }
        default: return 32
        }
    }

    /// The canonical spelling used in signatures (`uint256`, `(uint256,bool)[]`).
    public var description: String {
        switch self {
        case .uint(let bits): return "uint\(bits)"
        case .int(let bits): return "int\(bits)"
        case .address: return "address"
        case .bool: return "bool"
        case .fixedBytes(let n): return "bytes\(n)"
        case .bytes: return "bytes"
        case .string: return "string"
        case .fixedArray(let element, let count): return "\(element)[\(count)]"
        case .array(let element): return "\(element)[]"
        case .tuple(let components): return "(" + components.map(\.description).joined(separator: ",") + ")"
        }
    }

    /// Parses a canonical type string, including tuples written `(T1,T2)` and array suffixes.
    /// Also accepts the aliases `uint` and `int` (256 bits), as the specification allows.
    public init(parsing text: String) throws(ABIError) {
        var parser = TypeParser(text: Array(text.utf8), original: text)
        let type = try parser.parseType()
        guard parser.index == parser.text.count else { throw .invalidType(text) }
        self = type
    }

    /// Wraps `base` in the array suffixes of a JSON ABI type such as `tuple[2][]`.
    static func applying(suffix: Substring, to base: ABIType, original: String) throws(ABIError) -> ABIType {
        var parser = TypeParser(text: Array(suffix.utf8), original: original)
        let type = try parser.parseSuffixes(base)
        guard parser.index == parser.text.count else { throw .invalidType(original) }
        return type
    }
}

/// A small recursive-descent parser for type strings. Array sizes and nesting are bounded so
/// that a hostile ABI file cannot make the codec allocate without limit.
private struct TypeParser {
    let text: [UInt8]
    let original: String
    var index = 0
    var depth = 0

    static let maxFixedArrayCount = 1 << 16
    static let maxDepth = 32

    mutating func parseType() throws(ABIError) -> ABIType {
        depth += 1
        defer { depth -= 1 }
        guard depth <= Self.maxDepth else { throw .invalidType(original) }
        let base: ABIType
        if index < text.count, text[index] == UInt8(ascii: "(") {
            index += 1
            var components: [ABIType] = []
            if index < text.count, text[index] == UInt8(ascii: ")") {
                index += 1
            } else {
                while true {
                    components.append(try parseType())
                    guard index < text.count else { throw .invalidType(original) }
                    let c = text[index]
                    index += 1
                    if c == UInt8(ascii: ")") { break }
                    guard c == UInt8(ascii: ",") else { throw .invalidType(original) }
                }
            }
            base = .tuple(components)
        } else {
            let start = index
            while index < text.count, isNameByte(text[index]) { index += 1 }
            base = try elementary(String(decoding: text[start..<index], as: UTF8.self))
        }
        return try parseSuffixes(base)
    }

    mutating func parseSuffixes(_ base: ABIType) throws(ABIError) -> ABIType {
        var type = base
        while index < text.count, text[index] == UInt8(ascii: "[") {
            index += 1
            let start = index
            while index < text.count, text[index] >= UInt8(ascii: "0"), text[index] <= UInt8(ascii: "9") { index += 1 }
            guard index < text.count, text[index] == UInt8(ascii: "]") else { throw .invalidType(original) }
            let digits = String(decoding: text[start..<index], as: UTF8.self)
            index += 1
            if digits.isEmpty {
                type = .array(type)
            } else {
                guard digits.count <= 6, let count = Int(digits), count > 0, count <= Self.maxFixedArrayCount,
                      !digits.hasPrefix("0") else { throw .invalidType(original) }
                type = .fixedArray(type, count)
            }
        }
        // An empty tuple has no bytes, so an array of them could claim any length for free.
        if case .tuple(let c) = base, c.isEmpty, type != base { throw .invalidType(original) }
        return type
    }

    private func isNameByte(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
    }

    private func elementary(_ name: String) throws(ABIError) -> ABIType {
        switch name {
        case "address": return .address
        case "bool": return .bool
        case "bytes": return .bytes
        case "string": return .string
        case "uint": return .uint(256)
        case "int": return .int(256)
        default: break
        }
        if name.hasPrefix("uint"), let bits = bitCount(name.dropFirst(4)) { return .uint(bits) }
        if name.hasPrefix("int"), let bits = bitCount(name.dropFirst(3)) { return .int(bits) }
        if name.hasPrefix("bytes"), let n = Int(name.dropFirst(5)), String(n) == name.dropFirst(5), (1...32).contains(n) {
            return .fixedBytes(n)
        }
        throw .invalidType(original)
    }

    private func bitCount(_ digits: Substring) -> Int? {
        guard let bits = Int(digits), String(bits) == digits, bits % 8 == 0, (8...256).contains(bits) else { return nil }
        return bits
    }
}
