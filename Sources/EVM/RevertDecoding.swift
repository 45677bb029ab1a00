import Primitives

/// Decodes Solidity's revert payloads for traces: `Error(string)` (selector 0x08c379a0) and
/// `Panic(uint256)` (selector 0x4e487b71, Solidity >= 0.8 checked arithmetic and asserts), as
/// the text geth's call tracer shows. (The Contracts module's `RevertReason` is the typed ABI
/// decoder for services; the EVM sits below it and keeps this small text-only one.)
public enum RevertDecoding {
    static let errorSelector: [UInt8] = [0x08, 0xc3, 0x79, 0xa0]
    static let panicSelector: [UInt8] = [0x4e, 0x48, 0x7b, 0x71]

    /// The reason text, or nil when `data` is neither payload or is malformed.
    public static func reason(of data: [UInt8]) -> String? {
        guard data.count >= 4 else { return nil }
        let selector = Array(data[0..<4])
        let body = Array(data[4...])
        if selector == errorSelector { return errorString(body) }
        if selector == panicSelector, let code = word(body, at: 0) { return panicText(code) }
        return nil
    }

    /// ABI `string`: a head word with the offset of a length word followed by the bytes.
    static func errorString(_ body: [UInt8]) -> String? {
        guard let offsetWord = word(body, at: 0), let offset = offsetWord.uint64, offset <= UInt64(body.count),
              let lengthWord = word(body, at: Int(offset)), let length = lengthWord.uint64 else { return nil }
        let start = Int(offset) + 32
        guard length <= UInt64(body.count - start) else { return nil }
        return String(decoding: body[start..<(start + Int(length))], as: UTF8.self)
    }

    /// The 32-byte big-endian word at `offset`, if it is all there.
    static func word(_ bytes: [UInt8], at offset: Int) -> UInt256? {
        guard offset >= 0, offset <= bytes.count - 32 else { return nil }
        return try? UInt256(bigEndian: bytes[offset..<(offset + 32)])
    }

    /// Solidity's panic codes (docs: "Panic via assert and Error via require").
    static func panicText(_ code: UInt256) -> String {
        switch code.uint64 {
        case 0x00: return "generic panic"
        case 0x01: return "assert(false)"
        case 0x11: return "arithmetic underflow or overflow"
        case 0x12: return "division or modulo by zero"
        case 0x21: return "enum overflow"
        case 0x22: return "invalid encoded storage byte array accessed"
        case 0x31: return "out-of-bounds array access; popping on an empty array"
        case 0x32: return "out-of-bounds access of an array or bytesN"
        case 0x41: return "out of memory"
        case 0x51: return "uninitialized function"
        default: return "unknown panic code: " + code.quantityHex
        }
    }
}
