#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Format of a dataset file.
public enum DatasetFormat: Hashable, Sendable {
    case csv
    case npy
    /// `tensor` names the array to read when the file holds several.
    case safetensors(tensor: String?)
    /// Headerless little-endian floats (or integers), `features` per sample, samples back to back.
    case raw(NumericDType, features: Int)

    /// From the file extension.
    public init(path: String) throws(DatasetError) {
        let lower = path.lowercased()
        if lower.hasSuffix(".csv") { self = .csv } else if lower.hasSuffix(".npy") { self = .npy } else if lower.hasSuffix(".safetensors") {
            self = .safetensors(tensor: nil)
        } else if lower.hasSuffix(".f32") {
            self = .raw(.float32, features: 1)
        } else if lower.hasSuffix(".f64") {
            self = .raw(.float64, features: 1)
        } else { throw .unknownFormat(path: path) }
    }
}

/// One streaming pass over a dataset: every byte goes to the Merkle commitment and to the format
/// parser, which feeds per-feature Welford accumulators. Memory stays constant (one read block,
/// one partial CSV line or array element, the header of NPY/safetensors files, one accumulator
/// per feature), so files of any size scan at the speed the disk delivers them.
public struct DatasetScan {
    private var commitment: ChunkMerkleCommitment
    private var parser: Parser
    private let format: DatasetFormat

    private enum Parser {
        case csv(CSVStatisticsParser)
        case array(BinaryArrayParser)
    }

    public init(format: DatasetFormat, chunkSize: Int = ChunkMerkleCommitment.defaultChunkSize) {
        self.format = format
        commitment = ChunkMerkleCommitment(chunkSize: chunkSize)
        switch format {
        case .csv: parser = .csv(CSVStatisticsParser())
        case .npy: parser = .array(BinaryArrayParser(kind: .npy))
        case .safetensors(let tensor): parser = .array(BinaryArrayParser(kind: .safetensors(tensor: tensor)))
        case .raw(let dtype, let features):
            precondition(features > 0, "a raw array needs at least one feature per sample")
            parser = .array(BinaryArrayParser(kind: .raw(dtype, features: features)))
        }
    }

    /// Feeds the next bytes of the file (any block size).
    public mutating func consume(_ bytes: UnsafeRawBufferPointer) throws(DatasetError) {
        commitment.update(bytes)
        switch parser {
        case .csv(var p):
            parser = .csv(CSVStatisticsParser())  // release the copy so `p` stays uniquely referenced
            defer { parser = .csv(p) }
            try p.consume(bytes)
        case .array(var p):
            parser = .csv(CSVStatisticsParser())
            defer { parser = .array(p) }
            try p.consume(bytes)
        }
    }

    public mutating func consume(_ bytes: [UInt8]) throws(DatasetError) {
        try withBytes(bytes) { (b: UnsafeRawBufferPointer) throws(DatasetError) in try consume(b) }
    }

    /// Ends the scan and returns what it found.
    public mutating func finish() throws(DatasetError) -> DatasetSummary {
        let size = commitment.byteCount
        let root = commitment.finalize()
        switch parser {
        case .csv(var p):
            try p.finish()
            return DatasetSummary(format: "csv", sizeBytes: size, commitment: root, chunkSize: commitment.chunkSize,
                                  chunkCount: commitment.chunkCount, sampleCount: p.rows, sampleShape: [UInt64(p.columns.count)],
                                  dtype: "float64", featureNames: p.columns, tensorName: nil, features: p.accumulators.map(\.summary))
        case .array(let p):
            let layout = try p.finish(fileSize: size)
            let formatName: String
            switch format {
            case .npy: formatName = "npy"
            case .raw(let dtype, _): formatName = "raw-\(dtype.rawValue)"
            default: formatName = "safetensors"
            }
            return DatasetSummary(format: formatName, sizeBytes: size, commitment: root, chunkSize: commitment.chunkSize,
                                  chunkCount: commitment.chunkCount, sampleCount: layout.shape.first ?? 1,
                                  sampleShape: Array(layout.shape.dropFirst()), dtype: layout.dtype.rawValue, featureNames: [],
                                  tensorName: layout.tensorName, features: p.accumulators.map(\.summary))
        }
    }
}

/// Scans dataset files from disk in 1 MiB blocks.
public enum DatasetScanner {
    public static let blockSize = 1 << 20

    /// Scans the file at `path`; the format comes from its extension unless given.
    public static func scan(path: String, format: DatasetFormat? = nil,
                            chunkSize: Int = ChunkMerkleCommitment.defaultChunkSize) throws(DatasetError) -> DatasetSummary {
        let resolved: DatasetFormat
        if let format { resolved = format } else { resolved = try DatasetFormat(path: path) }
        var scan = DatasetScan(format: resolved, chunkSize: chunkSize)
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw .cannotOpen(path: path, errno: errno) }
        defer { close(fd) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let n = read(fd, buffer.baseAddress, blockSize)
            if n < 0 {
                if errno == EINTR { continue }
                throw .readFailed(path: path, errno: errno)
            }
            if n == 0 { break }
            try scan.consume(UnsafeRawBufferPointer(rebasing: buffer[0..<n]))
        }
        return try scan.finish()
    }
}
