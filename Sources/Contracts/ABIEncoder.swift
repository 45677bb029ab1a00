import Primitives

/// Standard ABI encoding (Solidity ABI specification, "Formal Specification of the Encoding"):
/// static values inline in the head, dynamic values in the tail behind an offset counted from
/// the start of the enclosing tuple. Values are checked against their types before any byte is
/// written, so a number too wide for `uint8` or a 3-item `T[2]` is an error, not a truncation.
public enum ABIEncoder {
    /// Encodes `values` as the tuple `(types...)`: the layout of call arguments and return data.
    public static func encode(_ values: [ABIValue], as types: [ABIType]) throws(ABIError) -> [UInt8] {
        var out: [UInt8] = []
        try encodeTuple(values, types, tupleName: ABIType.tuple(types).description, into: &out)
        return out
    }

    /// Encodes one value of one type, as it would appear at the start of a tuple tail.
    public static func encode(_ value: ABIValue, as type: ABIType) throws(ABIError) -> [UInt8] {
        var out: [UInt8] = []
        try encodeValue(value, type, into: &out)
        return out
    }

    static func encodeTuple(_ values: [ABIValue], _ types: [ABIType], tupleName: String,
                            into out: inout [UInt8]) throws(ABIError) {
        guard values.count == types.count else {
            throw .wrongCount(type: tupleName, expected: types.count, got: values.count)
        }
        let start = out.count
        let headSize = types.reduce(0) { $0 + $1.headSize }
        out.reserveCapacity(start + headSize)
        var tail: [UInt8] = []
        for (value, type) in zip(values, types) {
            if type.isDynamic {
                appendWord(UInt256(UInt64(headSize + tail.count)), to: &out)
                try encodeValue(value, type, into: &tail)
            } else {
                try encodeValue(value, type, into: &out)
            }
        }
        out.append(contentsOf: tail)
    }

    static func encodeValue(_ value: ABIValue, _ type: ABIType, into out: inout [UInt8]) throws(ABIError) {
        switch (type, value) {
        case (.uint(let bits), .uint(let v)):
            guard bits == 256 || v.bitWidth <= bits else { throw .valueOutOfRange(type: type.description) }
            appendWord(v, to: &out)
        case (.int(let bits), .int(let v)):
            guard bits == 256 || UInt256.signExtend(byteIndex: UInt256(UInt64(bits / 8 - 1)), v) == v else {
                throw .valueOutOfRange(type: type.description)
            }
            appendWord(v, to: &out)
        case (.address, .address(let a)):
            out.append(contentsOf: repeatElement(0, count: 12))
            out.append(contentsOf: a.bytes)
        case (.bool, .bool(let b)):
            appendWord(b ? .one : .zero, to: &out)
        case (.fixedBytes(let n), .fixedBytes(let b)):
            guard b.count == n else { throw .wrongCount(type: type.description, expected: n, got: b.count) }
            out.append(contentsOf: b)
            out.append(contentsOf: repeatElement(0, count: 32 - n))
        case (.bytes, .bytes(let b)):
            appendPadded(b, to: &out)
        case (.string, .string(let s)):
            appendPadded(Array(s.utf8), to: &out)
        case (.fixedArray(let element, let count), .array(let items)):
            guard items.count == count else {
                throw .wrongCount(type: type.description, expected: count, got: items.count)
            }
            try encodeTuple(items, Array(repeating: element, count: count), tupleName: type.description, into: &out)
        case (.array(let element), .array(let items)):
            appendWord(UInt256(UInt64(items.count)), to: &out)
            try encodeTuple(items, Array(repeating: element, count: items.count), tupleName: type.description, into: &out)
        case (.tuple(let components), .tuple(let items)):
            try encodeTuple(items, components, tupleName: type.description, into: &out)
        default:
            throw .valueKindMismatch(type: type.description, value: value.description)
        }
    }

    static func appendWord(_ v: UInt256, to out: inout [UInt8]) {
        out.append(contentsOf: v.bigEndianBytes)
    }

    /// Length word, the bytes, then zeros up to a multiple of 32.
    static func appendPadded(_ bytes: [UInt8], to out: inout [UInt8]) {
        appendWord(UInt256(UInt64(bytes.count)), to: &out)
        out.append(contentsOf: bytes)
        let pad = (32 - bytes.count % 32) % 32
        out.append(contentsOf: repeatElement(0, count: pad))
    }
}
