import Contracts
import Datasets
import Foundation
import Hummingbird
import ObjectStore
import Primitives
import Registry
import RPC
import Verification

extension ModelSharingService {
    // MARK: POST /dataset

    func postDataset<Context: IdentityRequestContext>(_ request: Request, context: Context) async throws -> Reply {
        switch try Self.bodyKind(request) {
        case .json:
            let (body, text) = try await jsonBody(request)
            let caller = try identity(context)
            let id = UUID()
            let parsed = try Self.verificationFields { try DatasetContractRequest(body: body) }
            let address = try await anchorDataset(company: caller.company, id: id, content: parsed.content,
                                                  statistics: parsed.statsScale.map { ($0, parsed.statistics) })
            try await faults.afterAnchor?()
            let row = DatasetRow(id: id, company: caller.company, developer: caller.developer ?? "", contractAddress: address.description,
                                 status: parsed.content.commitment == .zero ? .registered : .finalized, created: Self.now(),
                                 artifact: nil, sampleCount: parsed.content.sampleCount.uint64.map { Int64(clamping: $0) }, metadata: text)
            try await registry.insert(row)
            return .json(.object(["dataset_id": .string(Self.text(id))]))
        case .multipart(let boundary):
            return .json(try await postDatasetMultipart(request, boundary: boundary, context: context))
        }
    }

    private func postDatasetMultipart<Context: IdentityRequestContext>(_ request: Request, boundary: String,
                                                                      context: Context) async throws -> JSONValue {
        let reader = MultipartReader(body: request.body, boundary: boundary, maxBytes: configuration.maxUploadBytes)
        let id = UUID()
        var metadata: (document: JSONValue, text: String)?
        var artifact: IngestedArtifact?
        var caller: RequestIdentity?
        do {
            while let head = try await reader.nextPart() {
                if head.name == "metadata" {
                    metadata = try await metadataPart(reader, seen: metadata != nil)
                } else if head.filename != nil {
                    guard artifact == nil else { throw SharingError.invalidBody("more than one file part") }
                    guard let metadata else { throw SharingError.invalidBody("the metadata part must come before the file part") }
                    try Self.checkFilename(head.filename)
                    let who = try identity(context, metadata: metadata.document)
                    caller = who
                    let format = try Self.scanFormat(filename: head.filename, metadata: metadata.document)
                    artifact = try await ingest.ingest(part: reader, location: try ObjectNames.location(organization: who.company, kind: "datasets", id: id),
                                                       scanFormat: format)
                }
                // Other form fields are read past.
            }
            guard let metadata else { throw SharingError.invalidBody("missing part \"metadata\"") }
            guard let artifact, let caller else { throw SharingError.invalidBody("missing the file part") }
            let content = try Self.datasetContent(metadata: metadata.document, artifact: artifact)
            try await faults.afterStore?()
            var statistics: (UInt256, [FeatureStatistics])?
            if let summary = artifact.summary, !summary.features.isEmpty {
                let features = try Self.anchorableFeatures(summary).map {
                    FeatureStatistics(count: $0.count, mean: $0.mean, variance: $0.variance, minimum: $0.minimum, maximum: $0.maximum)
                }
                statistics = (FixedPoint.defaultScale, features)
            }
            let address = try await anchorDataset(company: caller.company, id: id, content: content, statistics: statistics)
            try await faults.afterAnchor?()
            let row = DatasetRow(id: id, company: caller.company, developer: caller.developer ?? "", contractAddress: address.description,
                                 status: .finalized, created: Self.now(), artifact: artifact.info,
                                 sampleCount: content.sampleCount.uint64.map { Int64(clamping: $0) }, metadata: metadata.text)
            try await registry.insert(row)
            return .object(["dataset_id": .string(Self.text(id))])
        } catch {
            if let artifact { await ingest.discard(artifact) }
            throw error
        }
    }

    /// The record's content from the stored file, after checking what the client claimed about
    /// it: a `size_bytes` or `hash` that disagrees with the file is a 422 naming the field.
    /// `hash` may be the chunk commitment or the Keccak-256 of the whole file (equal for files of
    /// one chunk).
    static func datasetContent(metadata: JSONValue, artifact: IngestedArtifact) throws -> DatasetContent {
        let fields = try verificationFields { try JSONFields(metadata, path: "metadata") }
        if let claimed = try verificationFields({ try fields.optionalUInt("size_bytes") }), claimed != UInt256(UInt64(artifact.size)) {
            throw SharingError.invalidField("size_bytes", reason: "is \(claimed.decimalString) but the file has \(artifact.size) bytes")
        }
        if let claimed = try verificationFields({ try fields.optionalHash("hash") }), claimed != artifact.chunkRoot, claimed != artifact.keccak {
            throw SharingError.invalidField("hash", reason: "does not match the file (commitment \(artifact.chunkRoot), keccak256 \(artifact.keccak))")
        }
        let shapeText = try verificationFields { try fields.optionalString("samples_dimension", maxBytes: 256) }
            ?? (try verificationFields { try fields.optionalString("sample_dimension", maxBytes: 256) })
        var shape: [UInt256]
        if let summary = artifact.summary, !(summary.format.hasPrefix("raw-") && shapeText != nil) {
            shape = summary.sampleShape.map { UInt256($0) }
        } else if let shapeText {
            shape = try verificationFields { try DatasetContractRequest.parseShape(shapeText, field: "samples_dimension") }
        } else {
            shape = []
        }
        if shape.isEmpty { shape = [UInt256(1)] }
        let claimedSamples = try verificationFields { try fields.optionalUInt("sample_num") }
        let samples = artifact.summary.map { UInt256($0.sampleCount) } ?? claimedSamples ?? .zero
        return DatasetContent(commitment: artifact.chunkRoot, sizeBytes: UInt256(UInt64(artifact.size)), sampleCount: samples,
                              sampleShape: shape, schemaHash: artifact.summary?.schemaHash ?? .zero)
    }

    /// The summary's statistics in the record's fixed point. A statistic beyond int256 at that
    /// scale (a variance of values near 1e29 already is) comes from the file, not the server:
    /// a 422 naming it. (A synchronous helper: the same catch inside the async route crashed
    /// the Swift 6.3 compiler's ownership verifier.)
    static func anchorableFeatures(_ summary: DatasetSummary) throws -> [FixedPointFeature] {
        do { return try summary.fixedPointFeatures() } catch {
            throw SharingError.invalidField("file", reason: "statistics cannot be anchored: \(error)")
        }
    }

    /// How the file is scanned for statistics: by its extension (.csv, .npy, .safetensors, and
    /// .f32/.f64 for raw little-endian arrays), or as a raw array when the metadata names its
    /// `dtype`; a raw array has `samples_dimension` (or `sample_dimension`) values per sample, as
    /// written, e.g. "(500,500)". Files of other types are stored and hashed without statistics.
    static func scanFormat(filename: String?, metadata: JSONValue) throws -> DatasetFormat? {
        let fields = try verificationFields { try JSONFields(metadata, path: "metadata") }
        var format = try? DatasetFormat(path: filename ?? "")
        if format == nil, let dtype = try verificationFields({ try fields.optionalString("dtype", maxBytes: 32) }) {
            switch dtype.lowercased() {
            case "float32", "f32", "<f4": format = .raw(.float32, features: 1)
            case "float64", "f64", "<f8": format = .raw(.float64, features: 1)
            default: throw SharingError.invalidField("dtype", reason: "must be float32 or float64 for a raw array (got \(dtype))")
            }
        }
        guard case .raw(let dtype, _)? = format else { return format }
        let shapeText = try verificationFields { try fields.optionalString("samples_dimension", maxBytes: 256) }
            ?? (try verificationFields { try fields.optionalString("sample_dimension", maxBytes: 256) })
        var features = UInt64(1)
        if let shapeText {
            for size in try verificationFields({ try DatasetContractRequest.parseShape(shapeText, field: "samples_dimension") }) {
                guard let n = size.uint64, n > 0, features <= (1 << 20) / n else {
                    throw SharingError.invalidField("samples_dimension", reason: "a raw array's sample must hold 1 to 1048576 values")
                }
                features *= n
            }
        }
        return .raw(dtype, features: Int(features))
    }

    /// Deploys the `DatasetRecord` from the company's account, sets its statistics and, when its
    /// content commitment is known, finalizes it so that models can cite it at once.
    func anchorDataset(company: String, id: UUID, content: DatasetContent,
                       statistics: (UInt256, [FeatureStatistics])?) async throws -> Address {
        let sender = try await senders.sender(company: company)
        let (address, _) = try await sender.deploy(initCode: try reader.dataset.deployData(datasetId: Self.text(id), content: content))
        if let (scale, features) = statistics, !features.isEmpty {
            _ = try await sender.transact(to: address, data: try reader.dataset.setStatistics(statsScale: scale, features))
        }
        if content.commitment != .zero {
            _ = try await sender.transact(to: address, data: try reader.dataset.finalize())
        }
        return address
    }

    // MARK: GET /dataset/{id}/metadata, GET /datasets

    func datasetRow<Context: IdentityRequestContext>(_ id: UUID, context: Context) async throws -> DatasetRow {
        guard let row = try await registry.dataset(id: id), visible(company: row.company, context: context) else {
            throw SharingError.notFound("no dataset \(Self.text(id))")
        }
        return row
    }

    func datasetMetadata<Context: IdentityRequestContext>(_ id: UUID, context: Context) async throws -> JSONValue {
        Self.datasetJSON(try await datasetRow(id, context: context))
    }

    /// The metadata as posted (every field reads back as written), plus extras where the client
    /// did not give them.
    static func datasetJSON(_ row: DatasetRow) -> JSONValue {
        var fields = postedFields(row.metadata)
        var extras = recordExtras(idKey: "dataset_id", id: row.id, contract: row.contractAddress, status: row.status,
                                  created: row.created)
        if let sampleCount = row.sampleCount { extras["sample_count"] = .integer(sampleCount) }
        if let artifact = row.artifact {
            extras["size_bytes"] = .integer(artifact.sizeBytes)
            extras["hash"] = .string(artifact.chunkRoot)
            extras["keccak256"] = .string(artifact.keccak256)
            extras["chunk_root"] = .string(artifact.chunkRoot)
            extras["artifact_size"] = .integer(artifact.sizeBytes)
        }
        for (key, value) in extras where fields[key] == nil || fields[key] == .null && key == "hash" && row.artifact != nil {
            fields[key] = value
        }
        return .object(fields)
    }

    func listDatasets<Context: IdentityRequestContext>(_ request: Request, context: Context) async throws -> JSONValue {
        let (filter, page) = try listing(request, context: context)
        return Self.listed("datasets", try await registry.datasets(filter, page: page).map(Self.datasetJSON), page)
    }

    // MARK: Shared helpers

    /// The filter (the caller's company, `developer`, `status`) and page (`limit`, `offset`)
    /// every listing reads from its query.
    func listing<Context: IdentityRequestContext>(_ request: Request, context: Context) throws -> (RegistryFilter, RegistryPage) {
        let caller = try identity(context)
        let query = request.uri.queryParameters
        var filter = RegistryFilter(company: caller.company, developer: query.get("developer"))
        filter.status = try Self.status(query.get("status"))
        return (filter, try Self.page(query))
    }

    /// A listing's answer: the records under `key`, and the page that was asked for.
    static func listed(_ key: String, _ records: [JSONValue], _ page: RegistryPage) -> JSONValue {
        .object([key: .array(records), "limit": .integer(Int64(page.limit)), "offset": .integer(Int64(page.offset))])
    }

    /// The metadata document as the client posted it (an object; anything else reads as empty).
    static func postedFields(_ metadata: String) -> [String: JSONValue] {
        if case .object(let posted)? = JSONValue.parse(Array(metadata.utf8)) { return posted }
        return [:]
    }

    /// What every record's metadata carries beside the posted fields.
    static func recordExtras(idKey: String, id: UUID, contract: String, status: RecordStatus, created: Date) -> [String: JSONValue] {
        [
            idKey: .string(text(id)),
            "contract_address": .string(contract),
            "status": .string(status.rawValue),
            "created": .string(created.formatted(.iso8601)),  // a value-type format style: no formatter object per request
        ]
    }

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }

    static func page(_ query: Parameters) throws -> RegistryPage {
        func number(_ name: String, default value: Int) throws -> Int {
            guard let text = query.get(name) else { return value }
            guard let n = Int(text), n >= 0 else { throw SharingError.invalidField(name, reason: "must be a non-negative integer") }
            return n
        }
        let limit = try number("limit", default: 100)
        guard limit <= RegistryPage.maxLimit else { throw SharingError.invalidField("limit", reason: "must be at most \(RegistryPage.maxLimit)") }
        return RegistryPage(limit: limit, offset: try number("offset", default: 0))
    }

    static func status(_ text: String?) throws -> RecordStatus? {
        guard let text else { return nil }
        guard let status = RecordStatus(rawValue: text) else {
            throw SharingError.invalidField("status", reason: "must be one of \(RecordStatus.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return status
    }

    /// Runs a Verification-layer parser, reporting its errors as this API's.
    static func verificationFields<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as VerificationError {
            switch error {
            case let .invalidField(field, reason): throw SharingError.invalidField(field, reason: reason)
            case .invalidBody(let why): throw SharingError.invalidBody(why)
            default: throw SharingError.verification(error)
            }
        }
    }

    /// The identity for a multipart upload: the context's, or under "auth none" the
    /// organization and developer its metadata part names.
    func identity<Context: IdentityRequestContext>(_ context: Context, metadata: JSONValue) throws -> RequestIdentity {
        if let identity = context.identity {
            // A token's company is the caller; a metadata part naming another one is refused.
            if !context.identityFromRequestFields, let named = RequestIdentity.fromFields(metadata), named.company != identity.company {
                throw SharingError.forbidden("organization_id \"\(named.company)\" is not the token's organization")
            }
            return identity
        }
        if context.identityFromRequestFields, let identity = RequestIdentity.fromFields(metadata) { return identity }
        throw SharingError.invalidField("organization_id", reason: "is required (the caller's organization)")
    }
}
