import Foundation

/// Base64url without padding (RFC 7515 §2), canonical only. jwt-kit's decoder (swift-extras-base64)
/// ignores the spare bits of the last character and tolerates `=`, so one signature would have
/// several spellings, each a different token to `VerifiedTokenCache`. The signing input covers the
/// header and payload text but not the signature's, so `TokenVerifier` reads the header and the
/// signature with this decoder before jwt-kit sees a token.
public enum Base64URL {
    public static func encode<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    /// Decodes unpadded base64url; nil for padding, a character outside the alphabet, a length
    /// that no byte string has (4k + 1), or non-zero bits left over in the last character (so
    /// every byte string has exactly one accepted spelling). Runs over the UTF-8 bytes directly:
    /// it is on the path of every authenticated request.
    public static func decode<Text: StringProtocol>(_ text: Text) -> [UInt8]? {
        let utf8 = text.utf8
        let count = utf8.count
        guard count % 4 != 1 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in utf8 {
            let value = alphabetValue[Int(character)]
            guard value != 0xFF else { return nil }
            accumulator = accumulator << 6 | UInt32(value)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        guard accumulator == 0 else { return nil }
        return out
    }

    /// 6-bit value of each byte of the base64url alphabet; 0xFF for every other byte.
    private static let alphabetValue: [UInt8] = {
        var table = [UInt8](repeating: 0xFF, count: 256)
        for (index, character) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8.enumerated() {
            table[Int(character)] = UInt8(index)
        }
        return table
    }()
}
