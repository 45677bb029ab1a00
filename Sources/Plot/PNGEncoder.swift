/// Writes 8-bit RGB PNG files (ISO/IEC 15948): signature, IHDR, one IDAT of zlib data with
/// filter type 0 on every row, IEND; each chunk with its CRC-32.
public enum PNGEncoder {
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    public static func encode(_ image: RGBImage) -> [UInt8] {
        var header = [UInt8]()
        header += bigEndian(UInt32(image.width))
        header += bigEndian(UInt32(image.height))
        header += [8, 2, 0, 0, 0]   // bit depth 8, colour type 2 (RGB), deflate, filter set 0, no interlace
        var raw = [UInt8]()
        raw.reserveCapacity((image.width * 3 + 1) * image.height)
        let rowBytes = image.width * 3
        for y in 0..<image.height {
            raw.append(0)             // filter type None
            raw += image.pixels[(y * rowBytes)..<((y + 1) * rowBytes)]
        }
        var png = signature
        png += chunk("IHDR", header)
        png += chunk("IDAT", Deflate.zlib(raw))
        png += chunk("IEND", [])
        return png
    }

    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        var crc = CRC32()
        crc.update(typeBytes)
        crc.update(data)
        return bigEndian(UInt32(data.count)) + typeBytes + data + bigEndian(crc.value)
    }

    static func bigEndian(_ v: UInt32) -> [UInt8] {
        [UInt8(v >> 24), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)]
    }
}
