import Foundation

/// SplitMix64: deterministic keys and values for the randomised trie tests.
struct SeededGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }

    /// Short keys from a small alphabet, so keys often share prefixes or prefix each other.
    mutating func clusteredKey() -> [UInt8] {
        (0..<(1 + below(4))).map { _ in [0x00, 0x01, 0x10, 0x11, 0xab][below(5)] }
    }
}

func temporaryPath() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("mledger-trie-\(UUID().uuidString)").path
}

func text(_ s: String) -> [UInt8] { Array(s.utf8) }
