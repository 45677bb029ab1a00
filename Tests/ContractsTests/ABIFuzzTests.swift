import Contracts
import Primitives
import Testing

/// Random types and values: encode/decode round trips, and a decoder fed mutated and random
/// bytes that must either decode to values its own encoder accepts or throw, never crash.
struct ABIFuzzTests {
    static func randomType(_ g: inout SeededGenerator, depth: Int = 0) -> ABIType {
        let pick = Int.random(in: 0..<(depth < 3 ? 11 : 7), using: &g)
        switch pick {
        case 0: return .uint(8 * Int.random(in: 1...32, using: &g))
        case 1: return .int(8 * Int.random(in: 1...32, using: &g))
        case 2: return .address
        case 3: return .bool
        case 4: return .fixedBytes(Int.random(in: 1...32, using: &g))
        case 5: return .bytes
        case 6: return .string
        case 7: return .fixedArray(randomType(&g, depth: depth + 1), Int.random(in: 1...3, using: &g))
        case 8: return .array(randomType(&g, depth: depth + 1))
        default: return .tuple((0..<Int.random(in: 1...3, using: &g)).map { _ in randomType(&g, depth: depth + 1) })
        }
    }

    static func randomWord(_ g: inout SeededGenerator) -> UInt256 {
        UInt256(l0: g.next(), l1: g.next(), l2: g.next(), l3: g.next())
    }

    static func randomValue(_ type: ABIType, _ g: inout SeededGenerator) -> ABIValue {
        switch type {
        case .uint(let bits):
            let v = randomWord(&g)
            return .uint(bits == 256 ? v : (v >> (256 - bits)) >> Int.random(in: 0...(bits - 1), using: &g))
        case .int(let bits):
            let v = randomWord(&g) >> (256 - bits)
            let extended = UInt256.signExtend(byteIndex: UInt256(UInt64(bits / 8 - 1)), v)
            return .int(extended)
        case .address:
            return .address(Address(hi: UInt32(truncatingIfNeeded: g.next()), mid: g.next(), lo: g.next()))
        case .bool: return .bool(Bool.random(using: &g))
        case .fixedBytes(let n): return .fixedBytes((0..<n).map { _ in UInt8.random(in: 0...255, using: &g) })
        case .bytes: return .bytes((0..<Int.random(in: 0...70, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) })
        case .string:
            let alphabet = Array("aZ09 é€😀-_\"\\")
            return .string(String((0..<Int.random(in: 0...40, using: &g)).map { _ in alphabet.randomElement(using: &g)! }))
        case .fixedArray(let element, let count): return .array((0..<count).map { _ in randomValue(element, &g) })
        case .array(let element): return .array((0..<Int.random(in: 0...3, using: &g)).map { _ in randomValue(element, &g) })
        case .tuple(let components): return .tuple(components.map { randomValue($0, &g) })
        }
    }

    @Test func roundTripsOfRandomTypesAndValues() throws {
        var g = SeededGenerator(seed: 0xAB1)
        for _ in 0..<2_000 {
            let types = (0..<Int.random(in: 1...4, using: &g)).map { _ in Self.randomType(&g) }
            let values = types.map { Self.randomValue($0, &g) }
            let encoded = try ABIEncoder.encode(values, as: types)
            #expect(encoded.count % 32 == 0)
            let decoded = try ABIDecoder.decode(types, from: encoded)
            #expect(decoded == values, "round trip of \(ABIType.tuple(types))")
            // Canonical text of the type survives a parse.
            #expect(try ABIType(parsing: ABIType.tuple(types).description) == .tuple(types))
        }
    }

    enum Outcome { case accepted, rejected, invalidValue(ABIError) }

    /// Whatever the strict decoder accepts must be a valid value of the type.
    static func decodeAndReencode(_ types: [ABIType], _ data: [UInt8]) -> Outcome {
        let values: [ABIValue]
        do { values = try ABIDecoder.decode(types, from: data) } catch { return .rejected }
        do { _ = try ABIEncoder.encode(values, as: types) } catch { return .invalidValue(error) }
        return .accepted
    }

    @Test func decoderSurvivesMutatedAndRandomData() throws {
        var g = SeededGenerator(seed: 0xF0221)
        var accepted = 0, rejected = 0
        for round in 0..<4_000 {
            let types = (0..<Int.random(in: 1...3, using: &g)).map { _ in Self.randomType(&g) }
            var data: [UInt8]
            if round % 4 == 0 {
                data = (0..<Int.random(in: 0...300, using: &g)).map { _ in UInt8.random(in: 0...255, using: &g) }
            } else {
                data = try ABIEncoder.encode(types.map { Self.randomValue($0, &g) }, as: types)
                let mutations = Int.random(in: 1...4, using: &g)
                for _ in 0..<mutations {
                    if data.isEmpty { break }
                    let i = Int.random(in: 0..<data.count, using: &g)
                    // Favour the low bytes of words, where offsets and lengths live.
                    let target = Bool.random(using: &g) ? min(i | 31, data.count - 1) : i
                    data[target] = UInt8.random(in: 0...255, using: &g)
                }
                let cut = Int.random(in: 0...min(40, data.count), using: &g)
                if Bool.random(using: &g) { data.removeLast(cut) }
            }
            switch Self.decodeAndReencode(types, data) {
            case .accepted: accepted += 1
            case .rejected: rejected += 1
            case .invalidValue(let why): Issue.record("decoded a value its encoder rejects: \(why)")
            }
        }
        print("[ABIFuzz] decoder: \(accepted) accepted, \(rejected) rejected with typed errors")
        #expect(accepted > 0 && rejected > 0)
    }
}
