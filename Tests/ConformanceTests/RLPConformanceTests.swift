import Foundation
import Primitives
import RLP
import Testing

/// ethereum-tests RLPTests: for valid vectors `encode(in) == out` and `decode(out)` gives back
/// `in`; for `"INVALID"` vectors the decoder must reject `out`; for `"VALID"` vectors (the random
/// suite) `out` must decode and re-encode to itself.
@Test func rlpConformance() throws {
    var tally = ConformanceTally("RLPTests")
    let files = ConformanceData.jsonFiles(under: "RLPTests")
    #expect(!files.isEmpty, "no RLP vectors under \(ConformanceData.root.path)")
    for file in files {
        guard let vectors = try ConformanceData.loadJSON(file) as? [String: Any] else {
            tally.check(file.lastPathComponent, false, "not a JSON object")
            continue
        }
        for (name, raw) in vectors.sorted(by: { $0.key < $1.key }) {
            let label = "\(file.lastPathComponent)/\(name)"
            guard let vector = raw as? [String: Any], let outText = vector["out"] as? String,
                  let input = vector["in"] else {
                tally.check(label, false, "missing in/out")
                continue
            }
            guard let out = try? Hex.decode(outText) else {
                tally.check(label, false, "bad hex in out")
                continue
            }
            if let marker = input as? String, marker == "INVALID" {
                do {
                    let item = try RLP.decode(out)
                    tally.check(label, false, "accepted invalid input as \(item)")
                } catch {
                    tally.check(label, true)
                }
                continue
            }
            if let marker = input as? String, marker == "VALID" {
                do {
                    let item = try RLP.decode(out)
                    tally.check(label, RLP.encode(item) == out, "does not re-encode to itself")
                } catch {
                    tally.check(label, false, "rejected valid input: \(error)")
                }
                continue
            }
            guard let expected = RLPJSON.item(input) else {
                tally.check(label, false, "unsupported input value \(input)")
                continue
            }
            let encoded = RLP.encode(expected)
            guard encoded == out else {
                tally.check(label, false, "encode gave \(encoded.hexString), want \(out.hexString)")
                continue
            }
            do {
                let decoded = try RLP.decode(out)
                tally.check(label, decoded == expected, "decode gave \(decoded)")
            } catch {
                tally.check(label, false, "decode failed: \(error)")
            }
        }
    }
    tally.printSummary()
    tally.expectAtLeast(ConformanceFloor.rlp)
    #expect(tally.failures.isEmpty)
    #expect(tally.passed > 0)
}

/// Maps the vectors' JSON inputs to RLP items: strings are raw bytes, `#digits` are big
/// decimal integers, numbers are unsigned integers, arrays are lists.
enum RLPJSON {
    static func item(_ value: Any) -> RLPItem? {
        if let text = value as? String {
            if text.hasPrefix("#") { return decimalBytes(text.dropFirst()).map(RLPItem.bytes) }
            return .bytes(Array(text.utf8))
        }
        if let list = value as? [Any] {
            var items = [RLPItem]()
            for element in list {
                guard let item = item(element) else { return nil }
                items.append(item)
            }
            return .list(items)
        }
        if let number = value as? NSNumber {
            let integer = number.int64Value
            guard integer >= 0, NSNumber(value: integer) == number else { return nil }
            return .bytes(UInt256(UInt64(integer)).minimalBigEndianBytes)
        }
        return nil
    }

    /// Minimal big-endian bytes of a decimal string of any size (the vectors exceed 2^256).
    static func decimalBytes(_ digits: Substring) -> [UInt8]? {
        var bytes = [UInt8]()  // big-endian, minimal
        for ch in digits.utf8 {
            guard ch >= 0x30, ch <= 0x39 else { return nil }
            var carry = Int(ch - 0x30)
            for i in stride(from: bytes.count - 1, through: 0, by: -1) {
                let v = Int(bytes[i]) * 10 + carry
                bytes[i] = UInt8(v & 0xff)
                carry = v >> 8
            }
            while carry > 0 {
                bytes.insert(UInt8(carry & 0xff), at: 0)
                carry >>= 8
            }
        }
        return bytes
    }
}
