import Primitives

/// Strict ABI decoding of untrusted bytes. Every offset and length is bounds-checked before use,
/// padding that the specification requires to be clean is checked (high bits of `uintN`, sign
/// extension of `intN`, the 12 leading bytes of `address`, the tail of `bytesN`, the padding
/// after `bytes`/`string` contents), bools must be 0 or 1 and strings UTF-8. Offsets may point
/// anywhere inside the data (the specification does not require canonical layout), so a budget
/// on decoded elements stops offsets that alias the same bytes from multiplying the work.
public enum ABIDecoder {
    /// Decodes the tuple `(types...)` from `data` (trailing bytes are ignored, as calls allow).
    public static func decode(_ types: [ABIType], from data: [UInt8]) throws(ABIError) -> [ABIValue] {
        var reader = Reader(data: data)
        return try reader.decodeSequence(count: types.count, base: 0) { types[$0] }
    }

    /// Decodes a single value that starts at byte 0 of `data` (as an event topic does).
    public static func decode(_ type: ABIType, from data: [UInt8]) throws(ABIError) -> ABIValue {
        try decode([type], from: data)[0]
    }

    struct Reader {
        let data: [UInt8]
        var budget: Int

        init(data: [UInt8]) {
            self.data = data
            // Canonical encodings spend at least one word per charged unit, so this never limits them.
            budget = data.count / 32 * 2 + 1024
        }

        mutating func decodeSequence(count: Int, base: Int,
                                     typeAt: (Int) -> ABIType) throws(ABIError) -> [ABIValue] {
            var values: [ABIValue] = []
            values.reserveCapacity(Swift.min(count, 1024))
            var head = base
            for i in 0..<count {
                let type = typeAt(i)
                if type.isDynamic {
                    let offset = try readSize(at: head, error: .offsetOutOfBounds(at: head))
                    let (target, overflow) = base.addingReportingOverflow(offset)
                    guard !overflow, target < data.count else { throw .offsetOutOfBounds(at: head) }
                    values.append(try decodeValue(type, at: target))
                    head += 32
                } else {
                    values.append(try decodeValue(type, at: head))
                    head += type.headSize
                }
            }
            return values
        }

        /// One unit per word a canonical encoding must spend (leaves, length words, contents), so
        /// canonical data never runs out however deeply its tuples nest.
        mutating func charge(_ words: Int) throws(ABIError) {
            budget -= words
            guard budget >= 0 else { throw .decodingBudgetExceeded }
        }

        mutating func decodeValue(_ type: ABIType, at position: Int) throws(ABIError) -> ABIValue {
            switch type {
            case .fixedArray, .tuple: break
            default: try charge(1)
            }
            switch type {
            case .uint(let bits):
                let v = try word(at: position)
                guard bits == 256 || v.bitWidth <= bits else { throw .dirtyPadding(type: type.description, at: position) }
                return .uint(v)
            case .int(let bits):
                let v = try word(at: position)
                guard bits == 256 || UInt256.signExtend(byteIndex: UInt256(UInt64(bits / 8 - 1)), v) == v else {
                    throw .dirtyPadding(type: type.description, at: position)
                }
                return .int(v)
            case .address:
                try requireAvailable(position, 32)
                guard data[position..<position + 12].allSatisfy({ $0 == 0 }),
                      let a = try? Address(bytes: data[position + 12..<position + 32]) else {
                    throw .dirtyPadding(type: "address", at: position)
                }
                return .address(a)
            case .bool:
                let v = try word(at: position)
                guard v.bitWidth <= 1 else { throw .invalidBool(at: position) }
                return .bool(v == .one)
            case .fixedBytes(let n):
                try requireAvailable(position, 32)
                guard data[position + n..<position + 32].allSatisfy({ $0 == 0 }) else {
                    throw .dirtyPadding(type: type.description, at: position)
                }
                return .fixedBytes(Array(data[position..<position + n]))
            case .bytes:
                return .bytes(try paddedContent(at: position))
            case .string:
                let raw = try paddedContent(at: position)
                // Decoding repairs bad sequences with U+FFFD, so a lossless round trip proves UTF-8.
                let text = String(decoding: raw, as: UTF8.self)
                guard text.utf8.elementsEqual(raw) else { throw .invalidUTF8(at: position) }
                return .string(text)
            case .fixedArray(let element, let count):
                try requireElements(count, of: element, from: position, lengthAt: position)
                return .array(try decodeSequence(count: count, base: position) { _ in element })
            case .array(let element):
                let count = try readSize(at: position, error: .lengthOutOfBounds(at: position))
                try requireElements(count, of: element, from: position + 32, lengthAt: position)
                return .array(try decodeSequence(count: count, base: position + 32) { _ in element })
            case .tuple(let components):
                return .tuple(try decodeSequence(count: components.count, base: position) { components[$0] })
            }
        }

        /// Length word, then exactly that many bytes followed by zero padding to a word boundary.
        mutating func paddedContent(at position: Int) throws(ABIError) -> [UInt8] {
            let length = try readSize(at: position, error: .lengthOutOfBounds(at: position))
            let start = position + 32
            guard length <= data.count - start else { throw .lengthOutOfBounds(at: position) }
            let padded = (length + 31) / 32 * 32
            try requireAvailable(start, padded)
            guard data[start + length..<start + padded].allSatisfy({ $0 == 0 }) else {
                throw .dirtyPadding(type: "bytes", at: start + length)
            }
            try charge(padded / 32)
            return Array(data[start..<start + length])
        }

        /// An array's heads must fit in the data before anything is allocated for it.
        func requireElements(_ count: Int, of element: ABIType, from start: Int, lengthAt: Int) throws(ABIError) {
            let (bytes, overflow) = count.multipliedReportingOverflow(by: element.headSize)
            guard !overflow, start <= data.count, bytes <= data.count - start else {
                throw .lengthOutOfBounds(at: lengthAt)
            }
        }

        func requireAvailable(_ position: Int, _ count: Int) throws(ABIError) {
            guard position >= 0, position <= data.count, count <= data.count - position else {
                throw .truncated(at: position, needed: count, available: Swift.max(0, data.count - position))
            }
        }

        func word(at position: Int) throws(ABIError) -> UInt256 {
            try requireAvailable(position, 32)
            guard let v = try? UInt256(bigEndian: data[position..<position + 32]) else {
                throw .truncated(at: position, needed: 32, available: data.count - position)
            }
            return v
        }

        /// An offset or length word, which must be smaller than the data to mean anything.
        func readSize(at position: Int, error: ABIError) throws(ABIError) -> Int {
            let v = try word(at: position)
            guard let small = v.uint64, small <= UInt64(data.count) else { throw error }
            return Int(small)
        }
    }
}
