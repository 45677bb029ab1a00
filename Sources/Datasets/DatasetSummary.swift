import LedgerCrypto
import Primitives

/// What a scan of a dataset file found: the fields a `DatasetRecord` holds, in plain values.
public struct DatasetSummary: Hashable, Sendable {
    /// `csv`, `npy` or `safetensors`.
    public let format: String
    public let sizeBytes: UInt64
    /// Merkle root over `chunkSize`-byte chunks (see `ChunkMerkleCommitment`).
    public let commitment: Hash32
    public let chunkSize: Int
    public let chunkCount: UInt64
    public let sampleCount: UInt64
    /// Shape of one sample: `[columns]` for CSV, the array shape without its first axis otherwise.
    public let sampleShape: [UInt64]
    /// Element type of the values (`float64` for CSV, parsed as Double).
    public let dtype: String
    /// Column names for CSV; empty for arrays.
    public let featureNames: [String]
    /// The safetensors tensor that was read, if any.
    public let tensorName: String?
    /// One entry per feature (CSV column, or element position within a sample).
    public let features: [FeatureSummary]

    /// keccak256 of the canonical schema JSON: keys sorted, no spaces, for example
    /// `{"dtype":"float64","features":["power_w"],"format":"csv","sampleShape":[1]}`
    /// (`"tensor":"name"` is added for safetensors). Two files with the same columns and element
    /// type share a schema hash whatever their contents.
    public var schemaHash: Hash32 { Keccak256.hash(Array(schemaJSON.utf8)) }

    public var schemaJSON: String {
        var parts: [String] = [
            "\"dtype\":" + JSONString.quoted(dtype),
            "\"features\":[" + featureNames.map(JSONString.quoted).joined(separator: ",") + "]",
            "\"format\":" + JSONString.quoted(format),
            "\"sampleShape\":[" + sampleShape.map(String.init).joined(separator: ",") + "]",
        ]
        if let tensorName { parts.append("\"tensor\":" + JSONString.quoted(tensorName)) }
        return "{" + parts.joined(separator: ",") + "}"
    }

    /// The statistics as `DatasetRecord` stores them.
    public func fixedPointFeatures(scale: UInt256 = FixedPoint.defaultScale) throws(DatasetError) -> [FixedPointFeature] {
        var out: [FixedPointFeature] = []
        for f in features { out.append(try FixedPointFeature(f, scale: scale)) }
        return out
    }
}
