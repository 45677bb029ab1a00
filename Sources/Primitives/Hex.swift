/// Errors from parsing hexadecimal text; each names what is wrong and where.
public enum HexError: Error, Equatable, CustomStringConvertible {
    case oddLength(Int)
    case invalidCharacter(Character, offset: Int)
    case wrongLength(expected: Int, got: Int)
    case missingPrefix

    public var description: String {
        switch self {
        case .oddLength(let n): return "hex string has odd length \(n)"
        case .invalidCharacter(let c, let offset): return "invalid hex character '\(c)' at offset \(offset)"
        case .wrongLength(let expected, let got): return "expected \(expected) bytes, got \(got)"
        case .missingPrefix: return "hex string must start with 0x"
        }
    }
}

public enum Hex {
    @inline(__always)
    static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case 0x30...0x39: return c &- 0x30
        case 0x61...0x66: return c &- 0x61 &+ 10
        case 0x41...0x46: return c &- 0x41 &+ 10
        default: return nil
        }
    }

    /// Decodes hex text, with or without a `0x` prefix. `requirePrefix` makes the prefix mandatory.
    public static func decode(_ text: String, requirePrefix: Bool = false) throws(HexError) -> [UInt8] {
        var utf8 = Array(text.utf8)
        var offset = 0
        if utf8.count >= 2, utf8[0] == 0x30, utf8[1] == 0x78 || utf8[1] == 0x58 {
            utf8.removeFirst(2)
            offset = 2
        } else if requirePrefix {
            throw .missingPrefix
        }
        guard utf8.count % 2 == 0 else { throw .oddLength(utf8.count) }
        var out = [UInt8]()
        out.reserveCapacity(utf8.count / 2)
        var i = 0
        while i < utf8.count {
            guard let hi = nibble(utf8[i]) else {
                throw .invalidCharacter(Character(Unicode.Scalar(utf8[i])), offset: i + offset)
            }
            guard let lo = nibble(utf8[i + 1]) else {
                throw .invalidCharacter(Character(Unicode.Scalar(utf8[i + 1])), offset: i + 1 + offset)
            }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    /// Lower-case hex text of `bytes`, with a `0x` prefix unless `prefix` is false.
    public static func encode<C: Collection>(_ bytes: C, prefix: Bool = true) -> String where C.Element == UInt8 {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count * 2 + 2)
        if prefix { out.append(0x30); out.append(0x78) }
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Array where Element == UInt8 {
    /// Parses hex text (optional `0x`).
    public init(hex: String) throws(HexError) { self = try Hex.decode(hex) }
    /// `0x`-prefixed lower-case hex.
    public var hexString: String { Hex.encode(self) }
}

extension ArraySlice where Element == UInt8 {
    public var hexString: String { Hex.encode(self) }
}
