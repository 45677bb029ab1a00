/// Why a dataset could not be scanned. Each case names the place (line, column, byte offset or
/// field) so that whoever supplied the file can fix it.
public enum DatasetError: Error, Equatable, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, errno: Int32)
    case readFailed(path: String, errno: Int32)
    case unknownFormat(path: String)
    /// CSV: a row that is not a list of numbers matching the header.
    case malformedRow(line: Int, reason: String)
    case emptyHeader
    case lineTooLong(line: Int)
    /// NaN or infinity, which have no place in statistics or fixed-point values.
    case nonFiniteValue(location: String)
    /// NPY/safetensors header problems.
    case malformedHeader(String)
    case unsupportedDType(String)
    case ambiguousTensor(names: [String])
    case missingTensor(String)
    /// The data section's length disagrees with the declared shape and dtype.
    case sizeMismatch(expected: UInt64, actual: UInt64)
    case tooManyFeatures(Int)
    /// A raw array whose size is not a whole number of samples.
    case partialSample(fileSize: UInt64, sampleBytes: UInt64)
    /// A value that does not fit in int256 at the requested scale.
    case fixedPointOverflow(value: Double)

    public var description: String {
        switch self {
        case .cannotOpen(let p, let e): return "cannot open \(p) (errno \(e))"
        case .readFailed(let p, let e): return "read of \(p) failed (errno \(e))"
        case .unknownFormat(let p): return "\(p): not .csv, .npy, .safetensors, .f32 or .f64"
        case .malformedRow(let line, let reason): return "line \(line): \(reason)"
        case .emptyHeader: return "CSV header row is missing or empty"
        case .lineTooLong(let line): return "line \(line) is longer than the 1 MiB limit"
        case .nonFiniteValue(let at): return "non-finite value at \(at)"
        case .malformedHeader(let why): return "malformed header: \(why)"
        case .unsupportedDType(let d): return "unsupported dtype \(d)"
        case .ambiguousTensor(let names): return "several tensors (\(names.joined(separator: ", "))): name one"
        case .missingTensor(let n): return "no tensor named \(n)"
        case .sizeMismatch(let e, let a): return "data holds \(a) bytes, shape and dtype need \(e)"
        case .tooManyFeatures(let n): return "\(n) features per sample exceed the limit"
        case .partialSample(let size, let sample): return "\(size) bytes are not a whole number of \(sample)-byte samples"
        case .fixedPointOverflow(let v): return "\(v) does not fit in int256 at this scale"
        }
    }
}

/// Runs `body` over an array's bytes keeping the typed error (`withUnsafeBytes` rethrows untyped).
func withBytes(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(DatasetError) -> Void) throws(DatasetError) {
    let result: Result<Void, DatasetError> = array.withUnsafeBytes { bytes in
        do throws(DatasetError) { try body(bytes) } catch { return .failure(error) }
        return .success(())
    }
    try result.get()
}
