/// Element types of numeric arrays in NPY and safetensors files (little-endian only).
public enum NumericDType: String, Hashable, Sendable {
    case float64, float32, int64, int32, int16, int8, uint64, uint32, uint16, uint8

    public var byteWidth: Int {
        switch self {
        case .float64, .int64, .uint64: return 8
        case .float32, .int32, .uint32: return 4
        case .int16, .uint16: return 2
        case .int8, .uint8: return 1
        }
    }

    /// From an NPY `descr` such as `<f4` or `|u1`.
    init(npyDescr: String) throws(DatasetError) {
        let table: [String: NumericDType] = [
            "<f8": .float64, "<f4": .float32, "<i8": .int64, "<i4": .int32, "<i2": .int16, "|i1": .int8, "<i1": .int8,
            "<u8": .uint64, "<u4": .uint32, "<u2": .uint16, "|u1": .uint8, "<u1": .uint8,
        ]
        guard let t = table[npyDescr] else { throw .unsupportedDType(npyDescr) }
        self = t
    }

    /// From a safetensors `dtype` such as `F32`.
    init(safetensors: String) throws(DatasetError) {
        let table: [String: NumericDType] = [
            "F64": .float64, "F32": .float32, "I64": .int64, "I32": .int32, "I16": .int16, "I8": .int8,
            "U64": .uint64, "U32": .uint32, "U16": .uint16, "U8": .uint8,
        ]
        guard let t = table[safetensors] else { throw .unsupportedDType(safetensors) }
        self = t
    }

    /// Reads one element at `p` (unaligned, little-endian) as a Double.
    @inline(__always)
    func load(_ p: UnsafeRawPointer) -> Double {
        switch self {
        case .float64: return Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
        case .float32: return Double(Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(as: UInt32.self))))
        case .int64: return Double(Int64(littleEndian: p.loadUnaligned(as: Int64.self)))
        case .int32: return Double(Int32(littleEndian: p.loadUnaligned(as: Int32.self)))
        case .int16: return Double(Int16(littleEndian: p.loadUnaligned(as: Int16.self)))
        case .int8: return Double(p.load(as: Int8.self))
        case .uint64: return Double(UInt64(littleEndian: p.loadUnaligned(as: UInt64.self)))
        case .uint32: return Double(UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)))
        case .uint16: return Double(UInt16(littleEndian: p.loadUnaligned(as: UInt16.self)))
        case .uint8: return Double(p.load(as: UInt8.self))
        }
    }
}
