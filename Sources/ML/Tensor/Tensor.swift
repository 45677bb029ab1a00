/// A dense Float32 tensor: a shape and its scalars in row-major order.
///
/// Storage is a Swift array, so copies share their buffer until one of them is written
/// (copy-on-write), and the scalars are always contiguous.
public struct Tensor: Equatable, Sendable {
    /// Extent of each dimension; `[]` is a scalar.
    public private(set) var shape: [Int]
    /// The scalars in row-major order; `scalars.count == shape.product`. (No property observer:
    /// one would force a copy of the buffer on every in-place kernel write.)
    public internal(set) var scalars: [Float]

    /// One scalar by its row-major index, readable and writable.
    public subscript(flat index: Int) -> Float {
        get { scalars[index] }
        set { scalars[index] = newValue }
    }

    /// A tensor of the given shape holding `scalars` (row-major).
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(Tensor.count(of: shape) == scalars.count,
                     "shape \(shape) needs \(Tensor.count(of: shape)) scalars, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of the given shape filled with `value`.
    public init(shape: [Int], repeating value: Float) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.count(of: shape)))
    }

    /// A zero-filled tensor.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(shape: shape, repeating: 0) }

    /// A one-element, zero-dimensional tensor.
    public init(scalar: Float) { self.init(shape: [], scalars: [scalar]) }

    /// Number of scalars a shape holds.
    @inlinable public static func count(of shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Number of scalars.
    public var count: Int { scalars.count }
    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The only scalar of a one-element tensor.
    public var scalar: Float {
        precondition(scalars.count == 1, "tensor of shape \(shape) is not a scalar")
        return scalars[0]
    }

    /// Builds a tensor element by element from its flat index.
    public init(shape: [Int], generator: (Int) -> Float) {
        let n = Tensor.count(of: shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = generator(i) }
        self.init(shape: shape, scalars: values)
    }

    /// Row-major strides of `shape`.
    public static func strides(of shape: [Int]) -> [Int] {
        var result = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            result[axis] = running
            running *= shape[axis]
        }
        return result
    }

    /// The same scalars seen with another shape of equal element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.reduce(1) { $0 * $1.element }
            precondition(known > 0 && count % known == 0, "cannot reshape \(shape) to \(newShape)")
            resolved[inferred] = count / known
        }
        precondition(Tensor.count(of: resolved) == count, "cannot reshape \(shape) to \(newShape)")
        var copy = self
        copy.shape = resolved
        return copy
    }

    /// Largest absolute difference to `other` (same shape).
    public func maxAbsDifference(_ other: Tensor) -> Float {
        precondition(shape == other.shape, "compare \(shape) with \(other.shape)")
        var worst: Float = 0
        for i in 0..<count { worst = max(worst, abs(scalars[i] - other.scalars[i])) }
        return worst
    }
}

extension Array where Element == Float {
    /// An array of `count` floats left unfilled, for buffers whose every element is written
    /// before it is read (big per-step buffers: filling them with zeros first cost time).
    static func uninitialized(count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
    }
}
