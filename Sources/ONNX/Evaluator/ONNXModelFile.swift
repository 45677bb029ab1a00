import Foundation
import SwiftProtobuf

/// Reading and writing ONNX files (the protobuf `ModelProto`) with the checks that keep a
/// hostile or damaged file from doing more than fail with a message.
public enum ONNXModelFile {
    /// Files above this size are refused before they are parsed.
    public static let maximumBytes = 256 << 20

    /// Parses a whole ONNX file: size limit first, then protobuf, then the minimum structure
    /// (a graph with at least one output).
    public static func decode(_ data: Data, limit: Int = maximumBytes) throws -> Onnx_ModelProto {
        guard data.count <= limit else {
            throw ONNXError.malformed("file of \(data.count) bytes exceeds the \(limit)-byte limit")
        }
        guard !data.isEmpty else { throw ONNXError.malformed("file is empty") }
        let model: Onnx_ModelProto
        do {
            var options = BinaryDecodingOptions()
            options.messageDepthLimit = 64
            model = try Onnx_ModelProto(serializedBytes: data, options: options)
        } catch {
            throw ONNXError.malformed("not a readable ModelProto (\(error)); the file is truncated or not ONNX")
        }
        guard model.hasGraph else { throw ONNXError.malformed("the model has no graph") }
        guard !model.graph.output.isEmpty else { throw ONNXError.malformed("the graph declares no outputs") }
        return model
    }

    public static func read(_ url: URL, limit: Int = maximumBytes) throws -> (model: Onnx_ModelProto, bytes: Data) {
        let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
        if let size = (attributes?[.size] as? NSNumber)?.intValue, size > limit {
            throw ONNXError.malformed("file of \(size) bytes exceeds the \(limit)-byte limit")
        }
        let bytes: Data
        do { bytes = try Data(contentsOf: url) } catch { throw ONNXError.malformed("cannot read \(url.path)") }
        return (try decode(bytes, limit: limit), bytes)
    }

    /// Deterministic bytes of a model (same model, same bytes: the certificate hashes them).
    public static func encode(_ model: Onnx_ModelProto) throws -> Data {
        var options = BinaryEncodingOptions()
        options.useDeterministicOrdering = true
        return try model.serializedData(options: options)
    }

    /// The model's default-domain opset (0 when it names none).
    public static func opset(_ model: Onnx_ModelProto) -> Int64 {
        model.opsetImport.first { $0.domain == "" || $0.domain == "ai.onnx" }?.version ?? 0
    }
}

/// ONNX element types MLedger reads (`TensorProto.DataType`).
enum ONNXElementType {
    static let float: Int32 = 1
    static let int32: Int32 = 6
    static let int64: Int32 = 7
    static let double: Int32 = 11
}

extension ONNXTensor {
    /// A tensor from an initializer or a Constant's value; only dense float, double, int32 and
    /// int64 data stored inside the file.
    init(proto: Onnx_TensorProto) throws {
        let name = proto.name.isEmpty ? "a constant tensor" : "tensor \(proto.name)"
        if proto.hasDataLocation, proto.dataLocation == .external {
            throw ONNXError.unsupported("\(name) keeps its data in an external file")
        }
        let shape = proto.dims.map { Int(clamping: $0) }
        let count = try checkedElementCount(shape, what: name)
        let raw = proto.hasRawData ? proto.rawData : nil
        func checkCount(_ n: Int) throws {
            guard n == count else { throw ONNXError.malformed("\(name) of shape \(shape) holds \(n) values, needs \(count)") }
        }
        switch proto.dataType {
        case ONNXElementType.float:
            if let raw {
                try checkCount(raw.count / 4)
                guard raw.count == count * 4 else { throw ONNXError.malformed("\(name): raw data of \(raw.count) bytes is not \(count) floats") }
                self.init(shape: shape, floats: Self.littleEndian(raw, width: 4).map { Float(bitPattern: UInt32(truncatingIfNeeded: $0)) })
            } else {
                try checkCount(proto.floatData.count)
                self.init(shape: shape, floats: proto.floatData)
            }
        case ONNXElementType.double:
            if let raw {
                guard raw.count == count * 8 else { throw ONNXError.malformed("\(name): raw data of \(raw.count) bytes is not \(count) doubles") }
                self.init(shape: shape, floats: Self.littleEndian(raw, width: 8).map { Float(Double(bitPattern: $0)) })
            } else {
                try checkCount(proto.doubleData.count)
                self.init(shape: shape, floats: proto.doubleData.map { Float($0) })
            }
        case ONNXElementType.int64:
            if let raw {
                guard raw.count == count * 8 else { throw ONNXError.malformed("\(name): raw data of \(raw.count) bytes is not \(count) int64s") }
                self.init(shape: shape, ints: Self.littleEndian(raw, width: 8).map { Int64(bitPattern: $0) })
            } else {
                try checkCount(proto.int64Data.count)
                self.init(shape: shape, ints: proto.int64Data)
            }
        case ONNXElementType.int32:
            if let raw {
                guard raw.count == count * 4 else { throw ONNXError.malformed("\(name): raw data of \(raw.count) bytes is not \(count) int32s") }
                self.init(shape: shape, ints: Self.littleEndian(raw, width: 4).map { Int64(Int32(bitPattern: UInt32(truncatingIfNeeded: $0))) })
            } else {
                try checkCount(proto.int32Data.count)
                self.init(shape: shape, ints: proto.int32Data.map { Int64($0) })
            }
        default:
            throw ONNXError.unsupported("\(name) has element type \(proto.dataType); MLedger reads float, double, int32 and int64")
        }
    }

    private static func littleEndian(_ data: Data, width: Int) -> [UInt64] {
        let n = data.count / width
        var out = [UInt64](repeating: 0, count: n)
        data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
            for i in 0..<n {
                var v: UInt64 = 0
                for b in 0..<width { v |= UInt64(buffer[i * width + b]) << (8 * UInt64(b)) }
                out[i] = v
            }
        }
        return out
    }

    /// The tensor as an initializer (raw little-endian data).
    func proto(name: String) -> Onnx_TensorProto {
        var t = Onnx_TensorProto()
        t.name = name
        t.dims = shape.map { Int64($0) }
        var raw = Data()
        switch storage {
        case .float(let v):
            t.dataType = ONNXElementType.float
            raw.reserveCapacity(v.count * 4)
            for x in v { withUnsafeBytes(of: x.bitPattern.littleEndian) { raw.append(contentsOf: $0) } }
        case .int64(let v):
            t.dataType = ONNXElementType.int64
            raw.reserveCapacity(v.count * 8)
            for x in v { withUnsafeBytes(of: x.littleEndian) { raw.append(contentsOf: $0) } }
        }
        t.rawData = raw
        return t
    }
}
