import Primitives

/// Why a text address was refused by `Address(checksummed:)`.
public enum AddressChecksumError: Error, Equatable, CustomStringConvertible {
    /// Not 40 hex digits (after an optional 0x).
    case malformed(HexError)
    /// Mixed-case text whose letter cases disagree with the EIP-55 checksum.
    case checksumMismatch(given: String, expected: String)

    public var description: String {
        switch self {
        case .malformed(let error): return "address is not 20 bytes of hex: \(error)"
        case .checksumMismatch(let given, let expected):
            return "address \(given) has a wrong EIP-55 checksum (expected \(expected))"
        }
    }
}

extension Address {
    /// The EIP-55 mixed-case form: `0x` then 40 hex digits where a letter is upper case when
    /// the matching nibble of Keccak-256(lower-case hex digits) is 8 or more.
    public var checksummed: String {
        let lower = Array(Hex.encode(bytes, prefix: false).utf8)
        let digest = Keccak256.hash(lower)
        let hashBytes = digest.bytes
        var out: [UInt8] = [0x30, 0x78]
        out.reserveCapacity(42)
        for (i, c) in lower.enumerated() {
            let nibble = i & 1 == 0 ? hashBytes[i >> 1] >> 4 : hashBytes[i >> 1] & 0x0f
            // Only a...f have an upper case; digits pass through unchanged.
            out.append(c >= 0x61 && nibble >= 8 ? c - 0x20 : c)
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex text (optional 0x) and checks the EIP-55 checksum when the letters are of
    /// mixed case. All-lower and all-upper text carries no checksum and is accepted as is.
    public init(checksummed text: String) throws(AddressChecksumError) {
        let address: Address
        do { address = try Address(hex: text) } catch { throw .malformed(error) }
        let digits = text.hasPrefix("0x") || text.hasPrefix("0X") ? text.dropFirst(2) : Substring(text)
        let hasLower = digits.utf8.contains { $0 >= 0x61 && $0 <= 0x66 }
        let hasUpper = digits.utf8.contains { $0 >= 0x41 && $0 <= 0x46 }
        if hasLower && hasUpper {
            let expected = address.checksummed
            guard "0x" + digits == expected else { throw .checksumMismatch(given: text, expected: expected) }
        }
        self = address
    }
}
