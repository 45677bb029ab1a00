import MLedgerTesting
import Foundation

/// Keys and values for the randomised trie tests, from the shared seeded generator.
extension SplitMix64 {
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
