import AsyncHTTPClient
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Objects in an S3-compatible server: one bucket per company (`mledger-<company>`, created on
/// first upload), the key as the object key.
///
/// - Uploads stream in parts: up to `partSize` bytes are buffered, so an upload holds at most
///   8 MiB in memory whatever the object's size. An object of at most `partSize` bytes is one
///   PUT at commit; a larger one becomes a multipart upload (created when the buffer first
///   overflows, one UploadPart per full buffer, CompleteMultipartUpload at commit). 10 GiB is
///   1280 parts, well under S3's 10,000.
/// - Reads stream the GET response body; a range is an HTTP `Range` header.
/// - Bucket creation and the sweep use the admin credentials; object operations use the
///   company's own credentials from `credentials`, which reach only that company's bucket.
public final class S3ObjectStore: ObjectStore {
    /// The buffer and part size. S3's minimum part is 5 MiB (all parts but the last).
    public static let partSize = 8 << 20
    /// Every bucket's name is this prefix and the company (a valid bucket name: 8 + 63 > 63 is
    /// possible, so companies longer than 55 characters are refused here; see `bucket`).
    public static let bucketPrefix = "mledger-"

    let client: S3Client
    let admin: S3Credentials
    let credentials: any S3CredentialSource
    /// Buckets known to exist: saves a CreateBucket per upload.
    private let knownBuckets = NIOLockedValueBox<Set<String>>([])
    /// `bucket/key/uploadId` of multipart uploads open in this instance; the sweep spares them.
    package let activeUploads = NIOLockedValueBox<Set<String>>([])

    /// - Parameters:
    ///   - admin: may create buckets and list and abort any multipart upload (SeaweedFS:
    ///     an identity with the `Admin` action).
    ///   - credentials: the per-company key pairs (see `NodeS3Credentials`).
    ///   - httpClient: `.shared` by default; reads use no overall deadline (a 10 GiB download
    ///     takes what it takes), so the client's own connect and read timeouts apply.
    public init(endpoint: S3Endpoint, admin: S3Credentials, credentials: any S3CredentialSource,
                httpClient: HTTPClient = .shared) {
        self.client = S3Client(endpoint: endpoint, http: httpClient)
        self.admin = admin
        self.credentials = credentials
    }

    /// `mledger-<company>`; S3 caps bucket names at 63 characters.
    public static func bucket(_ company: String) throws(ObjectStoreError) -> String {
        let name = bucketPrefix + company
        guard name.utf8.count <= 63 else {
            throw .invalidName("company must be at most \(63 - bucketPrefix.utf8.count) characters for S3")
        }
        return name
    }

    package static func path(_ location: ObjectLocation) throws -> String {
        "/\(try bucket(location.company))/\(location.key)"
    }

    public func beginUpload(_ location: ObjectLocation) async throws -> any ObjectUpload {
        let bucket = try Self.bucket(location.company)
        guard let keys = try await credentials.credentials(for: location.company, create: true) else {
            throw ObjectStoreError.credentials("no keys for company \(location.company)")
        }
        try await ensureBucket(bucket)
        return S3Upload(store: self, location: location, path: "/\(bucket)/\(location.key)", credentials: keys)
    }

    public func read(_ location: ObjectLocation, range: Range<Int64>?) async throws -> any ObjectReader {
        let path = try Self.path(location)
        guard let keys = try await credentials.credentials(for: location.company, create: false) else {
            throw ObjectStoreError.notFound(location)  // a company never given keys never stored anything
        }
        if let range {
            guard range.lowerBound >= 0 else { throw ObjectStoreError.invalidRange(location, size: 0) }
            // "bytes=a-b" cannot say "nothing"; an empty range needs only the existence check.
            if range.isEmpty { return try await emptyRead(location, at: range.lowerBound) }
        }
        let headers = range.map { [("range", "bytes=\($0.lowerBound)-\($0.upperBound - 1)")] } ?? []
        let response = try await send(.GET, path: path, headers: headers, credentials: keys,
                                      deadline: .distantFuture, operation: "GetObject")
        switch response.status.code {
        case 200 where range == nil, 206 where range != nil:
            return S3Reader(body: response.body)
        case 404:
            await S3Client.discardBody(response)
            throw ObjectStoreError.notFound(location)
        case 416:
            await S3Client.discardBody(response)
            // Start at or past the end: at the end reads nothing (as the file store does).
            return try await emptyRead(location, at: range?.lowerBound ?? 0)
        case 200 where response.headers.first(name: "content-length") == "0":
            return S3Reader(body: response.body)  // an empty object: some servers answer 200, not 416
        case 200:
            throw ObjectStoreError.s3(operation: "GetObject", status: 200, code: "server ignored the Range header")
        default:
            throw await client.failure(response, operation: "GetObject")
        }
    }

    /// The reader for a read that starts at `offset` and covers nothing, after checking that
    /// the object exists and that `offset` is not past its end.
    private func emptyRead(_ location: ObjectLocation, at offset: Int64) async throws -> any ObjectReader {
        guard let size = try await size(location) else { throw ObjectStoreError.notFound(location) }
        guard offset <= size else { throw ObjectStoreError.invalidRange(location, size: size) }
        return S3Reader(body: nil)
    }

    public func size(_ location: ObjectLocation) async throws -> Int64? {
        let path = try Self.path(location)
        guard let keys = try await credentials.credentials(for: location.company, create: false) else { return nil }
        let response = try await send(.HEAD, path: path, credentials: keys, deadline: .now() + S3Client.shortTimeout,
                                      operation: "HeadObject")
        switch response.status.code {
        case 200:
            guard let length = response.headers.first(name: "content-length").flatMap({ Int64($0) }) else {
                throw ObjectStoreError.s3(operation: "HeadObject", status: 200, code: "no Content-Length")
            }
            return length
        case 404: return nil
        default: throw ObjectStoreError.s3(operation: "HeadObject", status: Int(response.status.code), code: response.status.reasonPhrase)
        }
    }

    public func delete(_ location: ObjectLocation) async throws {
        let path = try Self.path(location)
        guard let keys = try await credentials.credentials(for: location.company, create: false) else { return }
        let response = try await send(.DELETE, path: path, credentials: keys, deadline: .now() + S3Client.shortTimeout,
                                      operation: "DeleteObject")
        // 204 (deleted or absent, S3's answer either way); 404 when the bucket does not exist.
        guard [200, 204, 404].contains(response.status.code) else {
            throw await client.failure(response, operation: "DeleteObject")
        }
        await S3Client.discardBody(response)
    }

    /// Aborts every multipart upload in every `mledger-*` bucket that this instance did not
    /// start. Parts of an aborted upload are freed by the server.
    public func sweepIncomplete() async throws -> Int {
        var removed = 0
        for bucket in try await listBuckets() where bucket.hasPrefix(Self.bucketPrefix) {
            for (key, uploadId) in try await listMultipartUploads(bucket) {
                if activeUploads.withLockedValue({ $0.contains("\(bucket)/\(key)/\(uploadId)") }) { continue }
                try await abortMultipart(path: "/\(bucket)/\(key)", uploadId: uploadId, credentials: admin)
                removed += 1
            }
        }
        return removed
    }

    // MARK: - Requests shared with the upload

    /// `client.send`, retried while the server does not yet know a freshly provisioned key
    /// (SeaweedFS reloads identities a moment after they are written; other servers
    /// propagate new keys eventually too). Bodies are in memory, so a retry resends them.
    func send(_ method: HTTPMethod, path: String, query: [(String, String)] = [], headers: [(String, String)] = [],
              body: S3Client.Body = .none, credentials keys: S3Credentials, deadline: NIODeadline,
              operation: String) async throws -> HTTPClientResponse {
        var attempt = 0
        while true {
            let response = try await client.send(method, path: path, query: query, headers: headers, body: body,
                                                 credentials: keys, deadline: deadline, operation: operation)
            guard response.status.code == 403, attempt < 40 else { return response }
            // A HEAD answer has no body to say why: retry a 403 on HEAD only while young keys may be unknown.
            let error = await client.failure(response, operation: operation)
            guard case .s3(_, _, let code) = error, code == "InvalidAccessKeyId" || (method == .HEAD && attempt < 20)
            else { throw error }
            attempt += 1
            try await Task.sleep(nanoseconds: 250_000_000)
        }
    }

    func ensureBucket(_ bucket: String) async throws {
        if knownBuckets.withLockedValue({ $0.contains(bucket) }) { return }
        var body = S3Client.Body.none
        // Outside us-east-1, S3 wants the region in the request body.
        if client.endpoint.region != "us-east-1" {
            let xml = "<CreateBucketConfiguration><LocationConstraint>\(XMLText.escape(client.endpoint.region))"
                + "</LocationConstraint></CreateBucketConfiguration>"
            body = .signed(ByteBuffer(string: xml))
        }
        let response = try await send(.PUT, path: "/\(bucket)", body: body, credentials: admin,
                                      deadline: .now() + S3Client.shortTimeout, operation: "CreateBucket")
        if response.status.code != 200 {
            let error = await client.failure(response, operation: "CreateBucket")
            // Created earlier (by us, or by this node before a restart): fine.
            guard case .s3(_, _, "BucketAlreadyOwnedByYou") = error else { throw error }
        } else {
            await S3Client.discardBody(response)
        }
        knownBuckets.withLockedValue { _ = $0.insert(bucket) }
    }

    func abortMultipart(path: String, uploadId: String, credentials keys: S3Credentials) async throws {
        let response = try await send(.DELETE, path: path, query: [("uploadId", uploadId)], credentials: keys,
                                      deadline: .now() + S3Client.shortTimeout, operation: "AbortMultipartUpload")
        guard [200, 204, 404].contains(response.status.code) else {
            throw await client.failure(response, operation: "AbortMultipartUpload")
        }
        await S3Client.discardBody(response)
    }

    private func listBuckets() async throws -> [String] {
        let response = try await send(.GET, path: "/", credentials: admin, deadline: .now() + S3Client.shortTimeout,
                                      operation: "ListBuckets")
        guard response.status.code == 200 else { throw await client.failure(response, operation: "ListBuckets") }
        let xml = try await S3Client.text(of: response, operation: "ListBuckets")
        return XMLText.elements("Bucket", in: xml).compactMap { XMLText.first("Name", in: $0) }
    }

    /// Every open multipart upload in `bucket` as (key, uploadId), following the listing's pages.
    private func listMultipartUploads(_ bucket: String) async throws -> [(String, String)] {
        var found: [(String, String)] = []
        var markers: [(String, String)] = []
        while true {
            let response = try await send(.GET, path: "/\(bucket)", query: [("uploads", "")] + markers, credentials: admin,
                                          deadline: .now() + S3Client.shortTimeout, operation: "ListMultipartUploads")
            guard response.status.code == 200 else {
                throw await client.failure(response, operation: "ListMultipartUploads")
            }
            let xml = try await S3Client.text(of: response, operation: "ListMultipartUploads")
            for upload in XMLText.elements("Upload", in: xml) {
                if let key = XMLText.first("Key", in: upload), let id = XMLText.first("UploadId", in: upload) {
                    found.append((key, id))
                }
            }
            guard XMLText.first("IsTruncated", in: xml) == "true",
                  let nextKey = XMLText.first("NextKeyMarker", in: xml),
                  let nextId = XMLText.first("NextUploadIdMarker", in: xml) else { return found }
            markers = [("key-marker", nextKey), ("upload-id-marker", nextId)]
        }
    }
}

/// One upload into S3: a buffer of at most one part, and the multipart upload once the
/// object has outgrown a single PUT.
actor S3Upload: ObjectUpload {
    let store: S3ObjectStore
    let location: ObjectLocation
    let path: String
    let credentials: S3Credentials
    /// At most `partSize` bytes (a power of two, so NIO's doubling growth stops exactly
    /// there); a part is sent as a slice of it, without a copy.
    private var buffer = ByteBuffer()
    /// The multipart upload on the server while one exists and is neither completed nor aborted.
    private var uploadId: String?
    private var etags: [String] = []
    private var size: Int64 = 0
    private var state = UploadState.open
    /// The write or commit under way; `abort` waits for it before discarding.
    private var inFlight: Task<Void, Never>?

    init(store: S3ObjectStore, location: ObjectLocation, path: String, credentials: S3Credentials) {
        self.store = store
        self.location = location
        self.path = path
        self.credentials = credentials
    }

    /// Dropped without commit or abort: abort the multipart upload in the background (the
    /// sweep at the next start catches it if this process dies first).
    deinit {
        guard let uploadId else { return }
        let store = store, path = path, credentials = credentials, marker = activeMarker(uploadId)
        Task {
            try? await store.abortMultipart(path: path, uploadId: uploadId, credentials: credentials)
            store.activeUploads.withLockedValue { _ = $0.remove(marker) }
        }
    }

    private nonisolated func activeMarker(_ uploadId: String) -> String { "\(path.dropFirst())/\(uploadId)" }

    func write(_ bytes: ArraySlice<UInt8>) async throws {
        guard state == .open else { throw ObjectStoreError.uploadClosed(location) }
        try await exclusively { try await self.append(bytes) }
    }

    private func append(_ bytes: ArraySlice<UInt8>) async throws {
        var rest = bytes
        while !rest.isEmpty {
            // A full buffer becomes a part only once more bytes arrive, so an object of
            // exactly `partSize` stays a single PUT and the last part is never empty.
            if buffer.readableBytes == S3ObjectStore.partSize {
                try await sendPart(count: S3ObjectStore.partSize)
                // Aborted while the part was on its way: stop here.
                guard state == .open else { throw ObjectStoreError.uploadClosed(location) }
            }
            let chunk = rest.prefix(S3ObjectStore.partSize - buffer.readableBytes)
            buffer.writeBytes(chunk)
            rest = rest.dropFirst(chunk.count)
            size += Int64(chunk.count)
        }
    }

    /// Sends the first `count` buffered bytes as the next part.
    private func sendPart(count: Int) async throws {
        if uploadId == nil { try await createMultipart() }
        let part = buffer.getSlice(at: buffer.readerIndex, length: count)!
        let response = try await store.send(
            .PUT, path: path, query: [("partNumber", String(etags.count + 1)), ("uploadId", uploadId!)],
            body: .signed(part), credentials: credentials,
            deadline: .now() + S3Client.partTimeout, operation: "UploadPart")
        guard response.status.code == 200, let etag = response.headers.first(name: "etag") else {
            throw await store.client.failure(response, operation: "UploadPart")
        }
        await S3Client.discardBody(response)
        etags.append(etag)
        buffer.moveReaderIndex(forwardBy: count)
        buffer.discardReadBytes()
    }

    private func createMultipart() async throws {
        let response = try await store.send(.POST, path: path, query: [("uploads", "")], credentials: credentials,
                                            deadline: .now() + S3Client.shortTimeout, operation: "CreateMultipartUpload")
        guard response.status.code == 200 else {
            throw await store.client.failure(response, operation: "CreateMultipartUpload")
        }
        let xml = try await S3Client.text(of: response, operation: "CreateMultipartUpload")
        guard let id = XMLText.first("UploadId", in: xml) else {
            throw ObjectStoreError.s3(operation: "CreateMultipartUpload", status: 200, code: "no UploadId")
        }
        store.activeUploads.withLockedValue { _ = $0.insert(activeMarker(id)) }
        uploadId = id
    }

    func commit() async throws -> Int64 {
        guard state == .open else { throw ObjectStoreError.uploadClosed(location) }
        state = .committing
        do {
            try await exclusively { try await self.finish() }
        } catch {
            await discard()
            state = .finished
            throw error
        }
        state = .finished
        buffer = ByteBuffer()
        return size
    }

    private func finish() async throws {
        if uploadId == nil {
            try await putWhole()
        } else {
            try await sendPart(count: buffer.readableBytes)  // the last part may be short, never empty
            try await completeMultipart()
        }
    }

    private func putWhole() async throws {
        let response = try await store.send(.PUT, path: path, body: .signed(buffer),
                                            credentials: credentials, deadline: .now() + S3Client.partTimeout,
                                            operation: "PutObject")
        guard response.status.code == 200 else { throw await store.client.failure(response, operation: "PutObject") }
        await S3Client.discardBody(response)
    }

    private func completeMultipart() async throws {
        guard let uploadId else { return }
        var xml = "<CompleteMultipartUpload>"
        for (index, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\(XMLText.escape(etag))</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let response = try await store.send(
            .POST, path: path, query: [("uploadId", uploadId)],
            body: .signed(ByteBuffer(string: xml)),
            credentials: credentials, deadline: .now() + S3Client.partTimeout, operation: "CompleteMultipartUpload")
        guard response.status.code == 200 else {
            throw await store.client.failure(response, operation: "CompleteMultipartUpload")
        }
        // S3 may answer 200 and report the failure in the body (it sends the status before
        // the assembly finishes).
        let answer = try await S3Client.text(of: response, operation: "CompleteMultipartUpload")
        if answer.contains("<Error>") {
            throw ObjectStoreError.s3(operation: "CompleteMultipartUpload", status: 200,
                                      code: XMLText.first("Code", in: answer) ?? "error in body")
        }
        self.uploadId = nil
        store.activeUploads.withLockedValue { _ = $0.remove(activeMarker(uploadId)) }
    }

    func abort() async {
        guard state == .open else {
            // A commit under way decides the outcome (on failure it discards itself).
            await inFlight?.value
            return
        }
        state = .finished
        await inFlight?.value  // the part on its way ends first; the write then stops
        await discard()
    }

    /// Drops the buffer and aborts the multipart upload, if any.
    private func discard() async {
        buffer = ByteBuffer()
        guard let uploadId else { return }
        self.uploadId = nil
        // On failure the upload stays open on the server; the next sweep removes it.
        try? await store.abortMultipart(path: path, uploadId: uploadId, credentials: credentials)
        store.activeUploads.withLockedValue { _ = $0.remove(activeMarker(uploadId)) }
    }

    /// Runs `body` as the operation `abort` waits for.
    private func exclusively(_ body: @escaping @Sendable () async throws -> Void) async throws {
        let task = Task { try await body() }
        let marker = Task { _ = try? await task.value }
        inFlight = marker
        defer { if inFlight == marker { inFlight = nil } }
        try await task.value
    }
}

/// A GET response body handed out in pieces of at most `maxBytes`.
actor S3Reader: ObjectReader {
    private var iterator: HTTPClientResponse.Body.AsyncIterator?
    private var pending = ByteBuffer()
    private var finished: Bool

    init(body: HTTPClientResponse.Body?) {
        iterator = body?.makeAsyncIterator()
        finished = body == nil
    }

    func next(maxBytes: Int) async throws -> [UInt8]? {
        precondition(maxBytes > 0, "maxBytes must be positive")
        while pending.readableBytes == 0 {
            if finished { return nil }
            // Taken out while awaiting (an actor cannot lend its state to a mutating async
            // call); an overlapping `next` finds none and fails rather than racing.
            guard var body = iterator.take() else {
                throw ObjectStoreError.s3(operation: "GetObject", status: 0, code: "overlapping reads of one stream")
            }
            do {
                guard let buffer = try await body.next() else { finished = true; return nil }
                pending = buffer
                iterator = body
            } catch {
                finished = true
                throw ObjectStoreError.s3(operation: "GetObject", status: 0, code: "\(error)")
            }
        }
        return pending.readBytes(length: min(maxBytes, pending.readableBytes))
    }
}
