import LedgerCrypto
import KeccakWide
import Primitives
import Testing

/// The four-way Keccak (`KeccakWide`) and `Keccak256.hashChunks` give exactly the scalar
/// Keccak-256 of every message and chunk: at every length around the 136-byte block edges, and
/// for chunk counts that are and are not multiples of four.
@Suite struct KeccakChunksTests {
    static func seededBytes(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed | 1
        return (0..<count).map { _ in
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return UInt8(truncatingIfNeeded: state)
        }
    }

    @Test func fourMessagesAtOnceEqualTheScalarHashAtEveryLength() {
        for length in 0...700 {
            let messages = (0..<4).map { Self.seededBytes(length, seed: UInt64(length * 4 + $0 + 1)) }
            var digests = [UInt8](repeating: 0, count: 128)
            messages[0].withUnsafeBytes { m0 in messages[1].withUnsafeBytes { m1 in
                messages[2].withUnsafeBytes { m2 in messages[3].withUnsafeBytes { m3 in
                    digests.withUnsafeMutableBytes { out in
                        // Empty arrays may have no base address; any readable pointer does for length 0.
                        let fallback = UnsafeRawPointer(out.baseAddress!)
                        KeccakX4.hash(m0.baseAddress ?? fallback, m1.baseAddress ?? fallback, m2.baseAddress ?? fallback,
                                      m3.baseAddress ?? fallback, length: length, digests: out.baseAddress!)
                    }
                } }
            } }
            for lane in 0..<4 {
                #expect(Array(digests[lane * 32..<lane * 32 + 32]) == Keccak256.hash(messages[lane]).bytes, "length \(length), lane \(lane)")
            }
        }
    }

    @Test(arguments: [136, 1_000, 65_536])
    func chunkLeavesEqualTheScalarHashOfEachChunk(_ chunkSize: Int) {
        for chunks in [0, 1, 3, 4, 5, 8, 9, 13] {
            for extra in [0, 1, chunkSize - 1] where !(chunks == 0 && extra == 0) || extra == 0 {
                let bytes = Self.seededBytes(chunks * chunkSize + extra, seed: UInt64(chunkSize + chunks * 31 + extra))
                let leaves = bytes.withUnsafeBytes { Keccak256.hashChunks($0, chunkSize: chunkSize) }
                var expected: [Hash32] = []
                var lower = 0
                while lower < bytes.count {
                    expected.append(Keccak256.hash(Array(bytes[lower..<min(bytes.count, lower + chunkSize)])))
                    lower += chunkSize
                }
                #expect(leaves == expected, "chunk size \(chunkSize), \(chunks) chunks + \(extra) bytes")
            }
        }
    }
}
