import ML

/// A dense tensor as the evaluator sees it: Float32 values for the arithmetic, Int64 for the
/// shapes and indices that torch.onnx graphs compute on the side.
public struct ONNXTensor: Equatable, Sendable {
    public enum Storage: Equatable, Sendable {
        case float([Float])
        case int64([Int64])
    }

    public var shape: [Int]
    public var storage: Storage

    public init(shape: [Int], floats: [Float]) {
        self.shape = shape
        storage = .float(floats)
    }

    public init(shape: [Int], ints: [Int64]) {
        self.shape = shape
        storage = .int64(ints)
    }

    public var count: Int { shape.reduce(1, *) }
    public var rank: Int { shape.count }

    /// The Float32 values; an Int64 tensor is converted.
    public var floats: [Float] {
        switch storage {
        case .float(let v): return v
        case .int64(let v): return v.map { Float($0) }
        }
    }

    /// The Int64 values; a Float32 tensor is truncated toward zero.
    public var ints: [Int64] {
        switch storage {
        case .int64(let v): return v
        case .float(let v): return v.map { $0.isFinite ? Int64(max(min($0, 9.2e18), -9.2e18)) : 0 }
        }
    }

    public var isFloat: Bool { if case .float = storage { return true } else { return false } }

    /// Row-major strides of `shape` (ML's rule).
    static func strides(_ shape: [Int]) -> [Int] { Tensor.strides(of: shape) }

    /// A tensor of `newShape` whose element i is this tensor's element `source(i)`, of the same
    /// element type: the one primitive behind transpose, slice, gather, concat and expand.
    func remapped(to newShape: [Int], source: (Int) -> Int) -> ONNXTensor {
        let n = newShape.reduce(1, *)
        switch storage {
        case .float(let v):
            var out = [Float](repeating: 0, count: n)
            for i in 0..<n { out[i] = v[source(i)] }
            return ONNXTensor(shape: newShape, floats: out)
        case .int64(let v):
            var out = [Int64](repeating: 0, count: n)
            for i in 0..<n { out[i] = v[source(i)] }
            return ONNXTensor(shape: newShape, ints: out)
        }
    }

    /// The same elements seen with another shape of equal element count.
    func reshaped(_ newShape: [Int]) throws -> ONNXTensor {
        guard newShape.allSatisfy({ $0 >= 0 }), (try? checkedElementCount(newShape, what: "reshape")) == count else {
            throw ONNXError.malformed("cannot reshape \(shape) to \(newShape)")
        }
        var copy = self
        copy.shape = newShape
        return copy
    }
}

/// Largest tensor the evaluator builds (64 Mi elements, 256 MiB of Float32): a hostile file
/// must not make it allocate without bound.
let maximumElements = 1 << 26

/// Multiplies dimensions, refusing negative ones, overflow and tensors above `maximumElements`.
func checkedElementCount(_ shape: [Int], what: String) throws -> Int {
    var total = 1
    for d in shape {
        guard d >= 0 else { throw ONNXError.malformed("\(what) has a negative dimension in \(shape)") }
        let (p, overflow) = total.multipliedReportingOverflow(by: d)
        guard !overflow, p <= maximumElements else { throw ONNXError.malformed("\(what) has too many elements (\(shape))") }
        total = p
    }
    return total
}
