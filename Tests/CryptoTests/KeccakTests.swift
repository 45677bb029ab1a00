import Crypto
import Primitives
import Testing

@Test func keccakKnownVectors() {
    #expect(Keccak256.hash([UInt8]()).description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    #expect(Keccak256.hash(Array("abc".utf8)).description == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
}

@Test func keccakIncrementalMatchesOneShot() {
    let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    for split in [0, 1, 135, 136, 137, 500, 999, 1000] {
        var h = Keccak256()
        h.update(data[..<split])
        h.update(data[split...])
        #expect(h.finalize() == Keccak256.hash(data), "split at \(split)")
    }
}
