// Decimal text for UInt256: genesis files and JSON test vectors write balances and numbers in
// base 10, and people read them that way.

/// Errors from parsing decimal text; each names what is wrong and where.
public enum DecimalError: Error, Equatable, CustomStringConvertible {
    case empty
    case invalidCharacter(Character, offset: Int)
    case overflow

    public var description: String {
        switch self {
        case .empty: return "decimal string is empty"
        case .invalidCharacter(let c, let offset): return "invalid decimal character '\(c)' at offset \(offset)"
        case .overflow: return "decimal value does not fit in 256 bits"
        }
    }
}

extension UInt256 {
    /// Parses unsigned decimal digits (no sign, no separators; leading zeros allowed).
    public init(decimal text: String) throws(DecimalError) {
        var value = UInt256.zero
        var offset = 0
        for c in text.utf8 {
            guard c >= 0x30 && c <= 0x39 else {
                throw .invalidCharacter(Character(Unicode.Scalar(c)), offset: offset)
            }
            let (scaled, high) = value.multipliedAdding(10, to: UInt256(UInt64(c - 0x30)))
            guard high == 0 else { throw .overflow }
            value = scaled
            offset += 1
        }
        guard offset > 0 else { throw .empty }
        self = value
    }

    /// The value in base 10, without leading zeros ("0" for zero).
    public var decimalString: String {
        if isZero { return "0" }
        // Peel off 19 digits at a time: 10^19 is the largest power of ten below 2^64.
        let chunk: UInt64 = 10_000_000_000_000_000_000
        var rest = self
        var pieces: [UInt64] = []
        while !rest.isZero {
            let (quotient, remainder) = rest.quotientAndRemainder(dividingBy: UInt256(chunk))
            pieces.append(remainder.l0)
            rest = quotient
        }
        var text = String(pieces.removeLast())
        for piece in pieces.reversed() {
            let digits = String(piece)
            text += String(repeating: "0", count: 19 - digits.count) + digits
        }
        return text
    }
}
