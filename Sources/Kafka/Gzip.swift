import CZlib

/// gzip (RFC 1952) through Debian's zlib: Kafka's compression type 1.
package enum Gzip {
    package static func compress(_ input: [UInt8], level: Int32 = 6) throws -> [UInt8] {
        var stream = z_stream()
        guard mledger_deflate_init_gzip(&stream, level) == Z_OK else { throw KafkaError.malformed("gzip: deflateInit2 failed") }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(input.count))) + 32)
        let status: Int32 = input.withUnsafeBytes { source in
            output.withUnsafeMutableBytes { target in
                stream.next_in = UnsafeMutablePointer(mutating: source.bindMemory(to: Bytef.self).baseAddress)
                stream.avail_in = uInt(source.count)
                stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                stream.avail_out = uInt(target.count)
                return deflate(&stream, Z_FINISH)
            }
        }
        guard status == Z_STREAM_END else { throw KafkaError.malformed("gzip: deflate ended with \(status)") }
        output.removeSubrange(Int(stream.total_out)...)
        return output
    }

    /// Inflates a gzip (or zlib) stream; refuses output beyond `limit` bytes (a zip bomb
    /// in a fetched batch must not exhaust memory).
    package static func decompress<Bytes: Collection>(_ input: Bytes, limit: Int = 256 << 20) throws -> [UInt8] where Bytes.Element == UInt8 {
        let source = Array(input)
        var stream = z_stream()
        guard mledger_inflate_init_gzip(&stream) == Z_OK else { throw KafkaError.malformed("gzip: inflateInit2 failed") }
        defer { inflateEnd(&stream) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(4096, min(source.count * 4, 1 << 20)))
        try source.withUnsafeBytes { sourceBytes in
            stream.next_in = UnsafeMutablePointer(mutating: sourceBytes.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(sourceBytes.count)
            while true {
                let (status, produced) = chunk.withUnsafeMutableBytes { target -> (Int32, Int) in
                    stream.next_out = target.bindMemory(to: Bytef.self).baseAddress
                    stream.avail_out = uInt(target.count)
                    let status = inflate(&stream, Z_NO_FLUSH)
                    return (status, target.count - Int(stream.avail_out))
                }
                output += chunk[0..<produced]
                if output.count > limit { throw KafkaError.malformed("gzip: inflated data exceeds \(limit) bytes") }
                if status == Z_STREAM_END { return }
                if status == Z_BUF_ERROR && stream.avail_in == 0 { throw KafkaError.truncated("gzip stream ends early") }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    throw KafkaError.malformed("gzip: inflate failed (\(status))")
                }
            }
        }
        return output
    }
}
