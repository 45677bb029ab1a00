import Contracts
import Foundation
import RPC
import Primitives

/// `POST /contract/dataset`: the MLaaS fields `organization_id`, `samples_dimension`,
/// `size_bytes` (int or null) and `hash` (the content commitment, or null), plus MLedger's
/// optional extras `dataset_id`, `sample_count`, `schema_hash`, `pending` (bool: keep the record
/// open for statistics that arrive later; otherwise a record with a `hash` is final at once) and `statistics`
/// (`{"scale": int, "features": [{"count", "mean", "variance", "min", "max"}]}`, fixed-point
/// integers: real value = stored / scale).
///
/// `samples_dimension` is the shape of one sample: integers separated by `x`, commas or spaces,
/// optionally in brackets ("24", "28x28", "(3, 32, 32)"); it is stored as `sampleShape` and read
/// back in the form "28x28". A `size_bytes` or `hash` of null is stored as 0 and read back as null.
package struct DatasetContractRequest: Equatable {
    package var organization: String
    package var datasetId: String
    package var content: DatasetContent
    package var statsScale: UInt256?
    package var statistics: [FeatureStatistics]
    /// `"pending": true`: more (statistics) follows, so the record stays open after deployment.
    package var pending: Bool

    static let maxDimensions = 8
    static let maxFeatures = 128

    package init(body: JSONValue?) throws(VerificationError) {
        let fields = try JSONFields(body)
        organization = try fields.nonEmptyString("organization_id")
        let shape = try Self.parseShape(try fields.nonEmptyString("samples_dimension", maxBytes: 256), field: "samples_dimension")
        let size = try fields.optionalUInt("size_bytes") ?? .zero
        let commitment = try fields.optionalHash("hash") ?? .zero
        datasetId = try fields.optionalString("dataset_id") ?? UUID().uuidString.lowercased()
        content = DatasetContent(commitment: commitment, sizeBytes: size,
                                 sampleCount: try fields.optionalUInt("sample_count") ?? .zero,
                                 sampleShape: shape, schemaHash: try fields.optionalHash("schema_hash") ?? .zero)
        statistics = []
        switch fields.raw("pending") {
        case nil, .bool(false)?: pending = false
        case .bool(true)?: pending = true
        default: throw .invalidField("pending", reason: "must be true or false")
        }
        if fields.raw("statistics") != nil {
            let stats = try fields.object("statistics")
            guard let scale = try stats.optionalUInt("scale"), !scale.isZero else {
                throw .invalidField(stats.name("scale"), reason: "is required and must be positive")
            }
            statsScale = scale
            let features = try stats.optionalArray("features", maxCount: Self.maxFeatures) ?? []
            for (i, item) in features.enumerated() {
                let feature = try JSONFields(item, path: stats.name("features[\(i)]"))
                guard let count = try feature.optionalUInt("count") else { throw .invalidField(feature.name("count"), reason: "is required") }
                statistics.append(FeatureStatistics(count: count, mean: try feature.int256("mean"),
                                                    variance: try feature.int256("variance"),
                                                    minimum: try feature.int256("min"), maximum: try feature.int256("max")))
            }
        }
    }

    /// "28x28", "(3, 32, 32)", "[24]" → the dimensions; each must be a positive integer.
    package static func parseShape(_ text: String, field: String) throws(VerificationError) -> [UInt256] {
        let separators = CharacterSet(charactersIn: "xX*,;()[] \t")
        let parts = text.components(separatedBy: separators).filter { !$0.isEmpty }
        guard !parts.isEmpty else { throw .invalidField(field, reason: "must list at least one dimension, e.g. \"28x28\"") }
        guard parts.count <= maxDimensions else { throw .invalidField(field, reason: "has more than \(maxDimensions) dimensions") }
        var shape: [UInt256] = []
        for part in parts {
            guard let value = UInt64(part), value > 0 else {
                throw .invalidField(field, reason: "\"\(part)\" is not a positive integer dimension")
            }
            shape.append(UInt256(value))
        }
        return shape
    }

    static func renderShape(_ shape: [UInt256]) -> String { shape.map(\.decimalString).joined(separator: "x") }
}

/// A `DatasetRecord` as read from chain state, in the shape `POST /contract/dataset` takes.
struct DatasetRecordState: Equatable {
    var address: Address
    var owner: Address
    /// The company holding the owner account, when this node holds it.
    var organization: String?
    var datasetId: String
    var content: DatasetContent
    var statsScale: UInt256
    var statistics: [FeatureStatistics]
    var finalized: Bool
    var createdBlock: UInt256

    var json: JSONValue {
        var fields: [String: JSONValue] = [
            "organization_id": .string(organization ?? owner.description),
            "samples_dimension": .string(DatasetContractRequest.renderShape(content.sampleShape)),
            "size_bytes": content.sizeBytes.isZero ? .null : JSONRender.uint(content.sizeBytes),
            "hash": content.commitment == .zero ? .null : .string(content.commitment.description),
            "contract_address": .string(address.description),
            "owner": .string(owner.description),
            "dataset_id": .string(datasetId),
            "sample_count": JSONRender.uint(content.sampleCount),
            "schema_hash": .string(content.schemaHash.description),
            "finalized": .bool(finalized),
            "created_block": JSONRender.uint(createdBlock),
        ]
        if !statsScale.isZero {
            fields["statistics"] = .object([
                "scale": JSONRender.uint(statsScale),
                "features": .array(statistics.map { s in
                    .object(["count": JSONRender.uint(s.count), "mean": JSONRender.int256(s.mean),
                             "variance": JSONRender.int256(s.variance), "min": JSONRender.int256(s.minimum),
                             "max": JSONRender.int256(s.maximum)])
                }),
            ])
        }
        return .object(fields)
    }

    /// The record with the posted body's own spelling of the fields the chain stores in another
    /// form (`samples_dimension` "(500,500)", `hash` in upper case, `size_bytes` as a string),
    /// each used only when it denotes exactly the value on chain: the chain stays the authority.
    func json(posted: JSONValue?) -> JSONValue {
        guard case .object(var fields) = json, case .object(let body)? = posted else { return json }
        if case .string(let text)? = body["samples_dimension"],
           (try? DatasetContractRequest.parseShape(text, field: "samples_dimension")) == content.sampleShape {
            fields["samples_dimension"] = .string(text)
        }
        if case .string(let text)? = body["hash"], (try? JSONFields.hash(text, field: "hash")) == content.commitment,
           content.commitment != .zero {
            fields["hash"] = .string(text)
        }
        if let value = body["size_bytes"], value != .null, (try? JSONFields.uint(value, field: "size_bytes")) == content.sizeBytes,
           !content.sizeBytes.isZero {
            fields["size_bytes"] = value
        }
        return .object(fields)
    }
}

/// Numbers for responses: JSON integers where they fit in 64 bits, decimal strings beyond.
enum JSONRender {
    static func uint(_ value: UInt256) -> JSONValue {
        if let small = value.uint64, small <= UInt64(Int64.max) { return .integer(Int64(small)) }
        return .string(value.decimalString)
    }

    static func int256(_ value: UInt256) -> JSONValue {
        guard value.isNegative else { return uint(value) }
        let magnitude = value.negated
        if let small = magnitude.uint64, small <= UInt64(Int64.max) { return .integer(-Int64(small)) }
        return .string("-" + magnitude.decimalString)
    }
}
