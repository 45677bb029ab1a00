import Primitives

/// Keccak-256 as Ethereum uses it: the original Keccak padding (0x01 ... 0x80), not FIPS
/// SHA3-256's (0x06 ... 0x80). Incremental (`update`/`finalize`) and one-shot (`hash`).
///
/// Neither path allocates: the hasher keeps its partial block in an inline tuple, and the
/// one-shot path absorbs whole blocks straight from the caller's bytes and pads the tail in a
/// stack block.
public struct Keccak256 {
    /// 136 bytes: one rate-sized block, stored inline.
    @usableFromInline
    typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    @usableFromInline static let rate = KeccakState.rate

    @usableFromInline var state = KeccakState()
    @usableFromInline var buffer: Block = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    @usableFromInline var buffered = 0

    public init() {}

    /// Absorbs more input.
    public mutating func update<C: Collection>(_ data: C) where C.Element == UInt8 {
        let handled: Void? = data.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if handled == nil { Array(data).withUnsafeBytes { update($0) } }
    }

    /// Absorbs more input from raw memory.
    public mutating func update(_ data: UnsafeRawBufferPointer) {
        guard var source = data.baseAddress, data.count > 0 else { return }
        var remaining = data.count
        if buffered > 0 {
            let take = min(Self.rate - buffered, remaining)
            withUnsafeMutableBytes(of: &buffer) { block in
                (block.baseAddress! + buffered).copyMemory(from: source, byteCount: take)
            }
            buffered += take
            source += take
            remaining -= take
            guard buffered == Self.rate else { return }
            withUnsafeBytes(of: buffer) { state.absorb($0.baseAddress!, blocks: 1) }
            buffered = 0
        }
        let whole = remaining / Self.rate
        if whole > 0 {
            state.absorb(source, blocks: whole)
            source += whole * Self.rate
            remaining -= whole * Self.rate
        }
        if remaining > 0 {
            withUnsafeMutableBytes(of: &buffer) { block in
                block.baseAddress!.copyMemory(from: source, byteCount: remaining)
            }
            buffered = remaining
        }
    }

    /// Pads, permutes and returns the 32-byte digest. The hasher should not be used afterwards.
    public mutating func finalize() -> Hash32 {
        let count = buffered
        withUnsafeMutableBytes(of: &buffer) { block in
            Keccak256.pad(block, used: count)
        }
        withUnsafeBytes(of: buffer) { state.absorb($0.baseAddress!, blocks: 1) }
        buffered = 0
        return state.digest
    }

    /// Keccak's own domain byte; FIPS 202 SHA-3 uses 0x06 (two suffix bits 01, then pad10*1).
    static let keccakDomain: UInt8 = 0x01

    /// Zero-fills `block` after `used` bytes and applies pad10*1 after the `domain` suffix bits.
    @inline(__always)
    static func pad(_ block: UnsafeMutableRawBufferPointer, used: Int, domain: UInt8 = keccakDomain) {
        (block.baseAddress! + used).initializeMemory(as: UInt8.self, repeating: 0, count: rate - used)
        block[used] ^= domain
        block[rate - 1] ^= 0x80
    }

    /// One-shot Keccak-256 of raw memory, without any heap allocation.
    public static func hash(_ data: UnsafeRawBufferPointer) -> Hash32 {
        hash(data, domain: keccakDomain)
    }

    /// The same sponge with another domain byte: 0x06 gives FIPS 202 SHA3-256, which lets
    /// tests check the permutation and block handling against OpenSSL at every length.
    package static func hash(_ data: UnsafeRawBufferPointer, domain: UInt8) -> Hash32 {
        var state = KeccakState()
        var remaining = data.count
        var tail: Block = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        withUnsafeMutableBytes(of: &tail) { block in
            if var source = data.baseAddress {
                let whole = remaining / rate
                if whole > 0 {
                    state.absorb(source, blocks: whole)
                    source += whole * rate
                    remaining -= whole * rate
                }
                block.baseAddress!.copyMemory(from: source, byteCount: remaining)
            } else {
                remaining = 0
            }
            pad(block, used: remaining, domain: domain)
            state.absorb(block.baseAddress!, blocks: 1)
        }
        return state.digest
    }

    /// One-shot Keccak-256 of a byte array.
    public static func hash(_ data: [UInt8]) -> Hash32 {
        data.withUnsafeBytes { hash($0) }
    }

    /// One-shot Keccak-256 of any byte collection.
    public static func hash<C: Collection>(_ data: C) -> Hash32 where C.Element == UInt8 {
        if let digest = data.withContiguousStorageIfAvailable({ hash(UnsafeRawBufferPointer($0)) }) {
            return digest
        }
        return Array(data).withUnsafeBytes { hash($0) }
    }
}

extension KeccakState {
    /// The first 32 bytes of the state. Lanes hold their bytes little-endian and `Hash32`
    /// words are big-endian, so each word is its lane byte-swapped.
    @usableFromInline
    var digest: Hash32 {
        Hash32(w0: a.0.byteSwapped, w1: a.1.byteSwapped, w2: a.2.byteSwapped, w3: a.3.byteSwapped)
    }
}
