import Foundation
import Primitives

/// Where a numeric array sits in a file and how to read it.
struct ArrayLayout: Equatable {
    var dtype: NumericDType
    var shape: [UInt64]
    /// File offsets of the element bytes, [dataStart, dataEnd).
    var dataStart: UInt64
    var dataEnd: UInt64
    var tensorName: String?
}

/// Streaming reader for a header followed by a little-endian numeric array (NPY or safetensors).
/// The header is buffered (bounded per format); the elements are decoded as the bytes pass,
/// element i going to feature i mod (elements per sample), with a carry of at most one element.
struct BinaryArrayParser {
    enum Kind {
        case npy, safetensors(tensor: String?)
        /// Headerless little-endian elements, `features` per sample; the sample count follows
        /// from the file size.
        case raw(NumericDType, features: Int)
    }

    static let maxHeaderLength = 16 << 20
    static let maxFeatures = 1 << 20

    let kind: Kind
    private var header: [UInt8] = []
    private var headerEnd: Int?
    private(set) var layout: ArrayLayout?
    private(set) var accumulators: [WelfordAccumulator] = []
    private var offset: UInt64 = 0
    private var carry: [UInt8] = []
    private var elementIndex: UInt64 = 0
    private var featureIndex = 0

    init(kind: Kind) {
        self.kind = kind
        if case .raw(let dtype, let features) = kind {
            layout = ArrayLayout(dtype: dtype, shape: [0, UInt64(features)], dataStart: 0, dataEnd: .max, tensorName: nil)
            accumulators = Array(repeating: WelfordAccumulator(), count: features)
        }
    }

    mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(DatasetError) {
        var rest = bytes
        if layout == nil {
            while layout == nil, !rest.isEmpty {
                let need = (headerEnd ?? Self.prefixNeeded(kind)) - header.count
                let take = Swift.min(need, rest.count)
                header.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                offset += UInt64(take)
                if header.count == (headerEnd ?? Self.prefixNeeded(kind)) {
                    if headerEnd == nil {
                        headerEnd = try Self.headerLength(kind, prefix: header)
                    } else {
                        let parsed = try Self.parseHeader(kind, header)
                        layout = parsed
                        let perSample = parsed.shape.dropFirst().reduce(UInt64(1)) { $0 &* $1 }
                        guard perSample <= UInt64(Self.maxFeatures) else { throw .tooManyFeatures(Int(clamping: perSample)) }
                        accumulators = Array(repeating: WelfordAccumulator(), count: Int(perSample))
                        header = []
                    }
                }
            }
        }
        guard let layout, !rest.isEmpty else { return }
        // Only bytes inside [dataStart, dataEnd) are elements.
        let blockStart = offset
        offset += UInt64(rest.count)
        let lo = Swift.max(blockStart, layout.dataStart), hi = Swift.min(offset, layout.dataEnd)
        guard lo < hi, !accumulators.isEmpty else { return }
        try decode(UnsafeRawBufferPointer(rebasing: rest[Int(lo - blockStart)..<Int(hi - blockStart)]), layout.dtype)
    }

    private mutating func decode(_ bytes: UnsafeRawBufferPointer, _ dtype: NumericDType) throws(DatasetError) {
        let width = dtype.byteWidth
        var rest = bytes
        if !carry.isEmpty {
            let take = Swift.min(width - carry.count, rest.count)
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[0..<take]))
            rest = UnsafeRawBufferPointer(rebasing: rest[take...])
            if carry.count == width {
                let value = carry.withUnsafeBytes { dtype.load($0.baseAddress!) }
                carry.removeAll(keepingCapacity: true)
                try add(value)
            }
        }
        guard let base = rest.baseAddress else { return }
        let whole = rest.count / width
        for i in 0..<whole { try add(dtype.load(base + i * width)) }
        if rest.count > whole * width {
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[(whole * width)...]))
        }
    }

    @inline(__always)
    private mutating func add(_ value: Double) throws(DatasetError) {
        guard value.isFinite else { throw .nonFiniteValue(location: "element \(elementIndex)") }
        accumulators[featureIndex].add(value)
        elementIndex += 1
        featureIndex += 1
        if featureIndex == accumulators.count { featureIndex = 0 }
    }

    /// Checks the file ended where the header said the data ends.
    func finish(fileSize: UInt64) throws(DatasetError) -> ArrayLayout {
        guard var layout else { throw .malformedHeader("file ends inside the header") }
        if case .raw(let dtype, let features) = kind {
            let record = UInt64(dtype.byteWidth * features)
            guard fileSize % record == 0 else { throw .partialSample(fileSize: fileSize, sampleBytes: record) }
            layout.shape = [fileSize / record, UInt64(features)]
            layout.dataEnd = fileSize
            return layout
        }
        let needed = layout.dataEnd
        guard fileSize >= needed else { throw .sizeMismatch(expected: needed - layout.dataStart, actual: fileSize - Swift.min(fileSize, layout.dataStart)) }
        if case .npy = kind, fileSize != needed {
            throw .sizeMismatch(expected: needed - layout.dataStart, actual: fileSize - layout.dataStart)
        }
        return layout
    }

    // MARK: Headers

    static func prefixNeeded(_ kind: Kind) -> Int {
        // NPY headers are padded to 64 bytes, so 12 bytes cover every version's length field.
        if case .npy = kind { return 12 } else { return 8 }
    }

    /// Total header length once the fixed prefix is known.
    static func headerLength(_ kind: Kind, prefix: [UInt8]) throws(DatasetError) -> Int {
        switch kind {
        case .npy:
            // NPY format: "\x93NUMPY", major, minor, then a 2-byte (v1) or 4-byte (v2, v3) length.
            guard prefix.starts(with: [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59]) else { throw .malformedHeader("not an NPY file") }
            let total: Int
            switch prefix[6] {
            case 1: total = 10 + (Int(prefix[8]) | Int(prefix[9]) << 8)
            case 2, 3: total = 12 + (Int(prefix[8]) | Int(prefix[9]) << 8 | Int(prefix[10]) << 16 | Int(prefix[11]) << 24)
            default: throw .malformedHeader("NPY version \(prefix[6])")
            }
            guard total > 12, total <= maxHeaderLength else { throw .malformedHeader("NPY header length \(total)") }
            return total
        case .raw:
            throw .malformedHeader("raw arrays have no header")
        case .safetensors:
            var n: UInt64 = 0
            for i in 0..<8 { n |= UInt64(prefix[i]) << (8 * UInt64(i)) }
            guard n >= 2, n <= UInt64(maxHeaderLength) else { throw .malformedHeader("safetensors header length \(n)") }
            return 8 + Int(n)
        }
    }

    static func parseHeader(_ kind: Kind, _ bytes: [UInt8]) throws(DatasetError) -> ArrayLayout {
        switch kind {
        case .npy: return try parseNPY(bytes)
        case .safetensors(let tensor): return try parseSafetensors(bytes, tensor: tensor)
        case .raw: throw .malformedHeader("raw arrays have no header")
        }
    }

    /// The NPY header is a Python dict literal: {'descr': '<f4', 'fortran_order': False, 'shape': (3, 2), }.
    static func parseNPY(_ bytes: [UInt8]) throws(DatasetError) -> ArrayLayout {
        let text = String(decoding: bytes[(bytes[6] == 1 ? 10 : 12)...], as: UTF8.self)
        func value(after key: String) throws(DatasetError) -> Substring {
            guard let r = text.range(of: "'\(key)':") else { throw .malformedHeader("NPY header has no \(key)") }
            return text[r.upperBound...].drop { $0 == " " }
        }
        let descrField = try value(after: "descr")
        guard descrField.first == "'", let close = descrField.dropFirst().firstIndex(of: "'") else {
            throw .malformedHeader("NPY descr")
        }
        let dtype = try NumericDType(npyDescr: String(descrField[descrField.index(after: descrField.startIndex)..<close]))
        let order = try value(after: "fortran_order")
        guard order.hasPrefix("False") else {
            throw .malformedHeader("Fortran-ordered arrays are not read (samples would not be contiguous)")
        }
        let shapeField = try value(after: "shape")
        guard shapeField.first == "(", let end = shapeField.firstIndex(of: ")") else { throw .malformedHeader("NPY shape") }
        var shape: [UInt64] = []
        for part in shapeField[shapeField.index(after: shapeField.startIndex)..<end].split(separator: ",") {
            let digits = part.trimmingCharacters(in: .whitespaces)
            if digits.isEmpty { continue }
            guard let d = UInt64(digits) else { throw .malformedHeader("NPY shape entry \(digits)") }
            shape.append(d)
        }
        let dataStart = UInt64(bytes.count)
        return ArrayLayout(dtype: dtype, shape: shape, dataStart: dataStart,
                           dataEnd: try dataEnd(start: dataStart, shape: shape, dtype: dtype), tensorName: nil)
    }

    /// safetensors: a JSON object of tensors {"name": {"dtype", "shape", "data_offsets": [begin, end]}}
    /// plus optional "__metadata__"; offsets count from the end of the header.
    static func parseSafetensors(_ bytes: [UInt8], tensor: String?) throws(DatasetError) -> ArrayLayout {
        guard let object = try? JSONValue(parsing: Array(bytes[8...])).objectValue else {
            throw .malformedHeader("safetensors header is not a JSON object")
        }
        let names = object.keys.filter { $0 != "__metadata__" }.sorted()
        let name: String
        if let tensor {
            guard names.contains(tensor) else { throw .missingTensor(tensor) }
            name = tensor
        } else {
            guard names.count == 1 else { throw .ambiguousTensor(names: names) }
            name = names[0]
        }
        guard let entry = object[name], let dtypeName = entry["dtype"]?.stringValue,
              let shapeValues = entry["shape"]?.arrayValue, let offsets = entry["data_offsets"]?.arrayValue, offsets.count == 2 else {
            throw .malformedHeader("tensor \(name) lacks dtype, shape or data_offsets")
        }
        let dtype = try NumericDType(safetensors: dtypeName)
        var shape: [UInt64] = []
        for v in shapeValues {
            guard let n = v.uint64Value else { throw .malformedHeader("tensor \(name) shape") }
            shape.append(n)
        }
        guard let begin = offsets[0].uint64Value, let end = offsets[1].uint64Value, begin <= end else {
            throw .malformedHeader("tensor \(name) data_offsets")
        }
        let base = UInt64(bytes.count)
        let expectedEnd = try dataEnd(start: base + begin, shape: shape, dtype: dtype)
        guard expectedEnd == base + end else { throw .sizeMismatch(expected: expectedEnd - base - begin, actual: end - begin) }
        return ArrayLayout(dtype: dtype, shape: shape, dataStart: base + begin, dataEnd: base + end, tensorName: name)
    }

    static func dataEnd(start: UInt64, shape: [UInt64], dtype: NumericDType) throws(DatasetError) -> UInt64 {
        var count: UInt64 = 1
        for d in shape {
            let (p, o) = count.multipliedReportingOverflow(by: d)
            guard !o else { throw .malformedHeader("shape \(shape) overflows") }
            count = p
        }
        let (bytes, o1) = count.multipliedReportingOverflow(by: UInt64(dtype.byteWidth))
        let (end, o2) = start.addingReportingOverflow(bytes)
        guard !o1, !o2 else { throw .malformedHeader("shape \(shape) overflows") }
        return end
    }
}
