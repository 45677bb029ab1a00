import LedgerCrypto
import Primitives
import Testing

@Test func keccakKnownVectors() {
    #expect(Keccak256.hash([UInt8]()).description == "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
    #expect(Keccak256.hash(Array("abc".utf8)).description == "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
    #expect(Keccak256.hash(Array("The quick brown fox jumps over the lazy dog".utf8)).description
        == "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
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

@Test func keccakByteByByteUpdatesMatchOneShot() {
    let data = (0..<300).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
    var h = Keccak256()
    for byte in data { h.update([byte]) }
    #expect(h.finalize() == Keccak256.hash(data))
}

@Test func keccakNonContiguousCollectionMatchesArray() {
    let data = (0..<400).map { UInt8(truncatingIfNeeded: $0) }
    #expect(Keccak256.hash(data.reversed().reversed()) == Keccak256.hash(data))
    #expect(Keccak256.hash(Set([UInt8(7)])) == Keccak256.hash([UInt8(7)]))
}

/// The sponge with SHA-3's domain byte must agree with OpenSSL's SHA3-256 at every length
/// across block boundaries: this checks the permutation, multi-block absorption and padding.
@Test func spongeMatchesOpenSSLSHA3AtEveryLength() throws {
    let data = (0..<700).map { UInt8(truncatingIfNeeded: $0 &* 131 &+ 17) }
    for length in 0...700 {
        let ours = data.withUnsafeBytes { Keccak256.hash(UnsafeRawBufferPointer(rebasing: $0[0..<length]), domain: 0x06) }
        let reference = try SHA3_256.hash(data[0..<length])
        #expect(ours.bytes == reference, "length \(length)")
        if ours.bytes != reference { break }
    }
}

@Test func keccakOfOneMiBMatchesIncrementalChunks() {
    let data = (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 ^ ($0 >> 9)) }
    var h = Keccak256()
    var offset = 0
    for chunk in [1, 135, 4096, 137, 65536, 3] where offset < data.count {
        h.update(data[offset..<min(offset + chunk, data.count)])
        offset += chunk
    }
    h.update(data[offset...])
    #expect(h.finalize() == Keccak256.hash(data))
}
