/// A deflate (RFC 1951) encoder using only fixed-Huffman blocks with greedy LZ77 matching over a
/// 32 KiB window; ample for charts, whose rows are long runs of a few colours. `zlib` wraps the
/// stream as RFC 1950 (header, deflate data, Adler-32).
public enum Deflate {
    public static func zlib(_ data: [UInt8]) -> [UInt8] {
        // CMF 0x78: deflate with a 32 KiB window; FLG 0x01 makes CMF·256 + FLG divisible by 31.
        var out: [UInt8] = [0x78, 0x01]
        out += compress(data)
        let adler = Adler32.checksum(data)
        out += [UInt8(adler >> 24), UInt8(adler >> 16 & 0xFF), UInt8(adler >> 8 & 0xFF), UInt8(adler & 0xFF)]
        return out
    }

    static let windowSize = 32_768
    static let minimumMatch = 3
    static let maximumMatch = 258
    /// How many earlier positions with the same 3-byte hash are tried; bounds the worst case.
    static let chainLimit = 64

    /// Raw deflate data: one final fixed-Huffman block.
    public static func compress(_ data: [UInt8]) -> [UInt8] {
        var bits = BitWriter()
        bits.write(1, count: 1)      // BFINAL
        bits.write(1, count: 2)      // BTYPE 01: fixed Huffman codes
        let hashSize = 1 << 15
        var head = [Int](repeating: -1, count: hashSize)
        var previous = [Int](repeating: -1, count: windowSize)
        func hash(_ i: Int) -> Int {
            (Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])) & (hashSize - 1)
        }
        func insert(_ i: Int) {
            guard i + 2 < data.count else { return }
            let h = hash(i)
            previous[i & (windowSize - 1)] = head[h]
            head[h] = i
        }
        var i = 0
        while i < data.count {
            var bestLength = 0, bestDistance = 0
            if i + 2 < data.count {
                var candidate = head[hash(i)]
                var steps = 0
                let limit = min(maximumMatch, data.count - i)
                while candidate >= 0 && i - candidate <= windowSize && steps < chainLimit {
                    var length = 0
                    while length < limit && data[candidate + length] == data[i + length] { length += 1 }
                    if length > bestLength {
                        bestLength = length
                        bestDistance = i - candidate
                        if length == limit { break }
                    }
                    candidate = previous[candidate & (windowSize - 1)]
                    steps += 1
                }
            }
            if bestLength >= minimumMatch {
                bits.writeLength(bestLength)
                bits.writeDistance(bestDistance)
                for k in 0..<bestLength { insert(i + k) }
                i += bestLength
            } else {
                bits.writeLiteral(Int(data[i]))
                insert(i)
                i += 1
            }
        }
        bits.writeLiteral(256)       // end of block
        return bits.finish()
    }
}

/// Bits packed least-significant first, as deflate stores them; Huffman codes go in
/// most-significant bit first, so they are reversed on the way in.
struct BitWriter {
    private(set) var bytes: [UInt8] = []
    private var buffer: UInt64 = 0
    private var filled = 0

    mutating func write(_ value: Int, count: Int) {
        buffer |= UInt64(value) << UInt64(filled)
        filled += count
        while filled >= 8 {
            bytes.append(UInt8(buffer & 0xFF))
            buffer >>= 8
            filled -= 8
        }
    }

    mutating func writeCode(_ code: Int, length: Int) {
        var reversed = 0
        for b in 0..<length where code >> b & 1 == 1 { reversed |= 1 << (length - 1 - b) }
        write(reversed, count: length)
    }

    /// A literal byte or the end-of-block symbol (256), or a length symbol 257…287.
    mutating func writeLiteral(_ symbol: Int) {
        switch symbol {
        case 0...143: writeCode(0x30 + symbol, length: 8)
        case 144...255: writeCode(0x190 + symbol - 144, length: 9)
        case 256...279: writeCode(symbol - 256, length: 7)
        default: writeCode(0xC0 + symbol - 280, length: 8)
        }
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537,
                               2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13]

    mutating func writeLength(_ length: Int) {
        // The last base not above `length` (258 has its own code, 285).
        var code = Self.lengthBase.count - 1
        while Self.lengthBase[code] > length { code -= 1 }
        writeLiteral(257 + code)
        if Self.lengthExtra[code] > 0 { write(length - Self.lengthBase[code], count: Self.lengthExtra[code]) }
    }

    mutating func writeDistance(_ distance: Int) {
        var code = Self.distanceBase.count - 1
        while Self.distanceBase[code] > distance { code -= 1 }
        writeCode(code, length: 5)
        if Self.distanceExtra[code] > 0 { write(distance - Self.distanceBase[code], count: Self.distanceExtra[code]) }
    }

    /// Flushes the last partial byte (zero padded).
    mutating func finish() -> [UInt8] {
        if filled > 0 { bytes.append(UInt8(buffer & 0xFF)) }
        buffer = 0
        filled = 0
        return bytes
    }
}
