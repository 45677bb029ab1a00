import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Where the S3 server is: scheme, host and port, path-style addressing
/// (`http://host:port/bucket/key`), which every S3-compatible server accepts and which needs
/// no DNS per bucket.
public struct S3Endpoint: Sendable, Hashable {
    public let scheme: String
    public let host: String
    public let port: Int
    public let region: String

    /// Parses `http://127.0.0.1:8333` (or `https://...`); the region names the signing scope
    /// (SeaweedFS and most self-hosted servers accept any; AWS wants the bucket's region).
    public init(_ url: String, region: String = "us-east-1") throws(ObjectStoreError) {
        let parts = url.split(separator: "://", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0] == "http" || parts[0] == "https" else {
            throw .invalidName("S3 endpoint must be http:// or https://host[:port]")
        }
        let authority = parts[1].hasSuffix("/") ? String(parts[1].dropLast()) : parts[1]
        guard !authority.isEmpty, !authority.contains("/") else {
            throw .invalidName("S3 endpoint must have no path")
        }
        scheme = parts[0]
        if let colon = authority.lastIndex(of: ":"), !authority.hasSuffix("]") {
            guard let port = Int(authority[authority.index(after: colon)...]), (1...65535).contains(port) else {
                throw .invalidName("S3 endpoint port is not a number")
            }
            host = String(authority[..<colon])
            self.port = port
        } else {
            host = authority
            port = scheme == "https" ? 443 : 80
        }
        self.region = region
    }

    /// The `Host` header, exactly as signed.
    package var hostHeader: String {
        (scheme == "http" && port == 80) || (scheme == "https" && port == 443) ? host : "\(host):\(port)"
    }
}

/// A signed request to S3 and its failure handling; the store above decides what to send.
package struct S3Client: Sendable {
    let endpoint: S3Endpoint
    let http: HTTPClient

    package init(endpoint: S3Endpoint, http: HTTPClient) {
        self.endpoint = endpoint
        self.http = http
    }

    /// How long a request without a large body may take.
    static let shortTimeout = TimeAmount.seconds(60)
    /// One part (8 MiB) must get through within this even on a slow link.
    static let partTimeout = TimeAmount.minutes(10)

    package enum Body {
        case none
        case bytes(ByteBuffer, sha256: String)

        /// The bytes with their SHA-256, which SigV4 signs as `x-amz-content-sha256`.
        static func signed(_ buffer: ByteBuffer) -> Body {
            .bytes(buffer, sha256: buffer.withUnsafeReadableBytes { Digest.hex(Digest.sha256($0)) })
        }
    }

    /// Sends one request and returns the response whatever its status; the caller reads the
    /// body (streaming) or calls `failure` on it. `path` is raw: `/bucket` or `/bucket/key`.
    package func send(_ method: HTTPMethod, path: String, query: [(String, String)] = [], headers extra: [(String, String)] = [],
              body: Body = .none, credentials: S3Credentials, deadline: NIODeadline, operation: String) async throws
        -> HTTPClientResponse
    {
        let encodedPath = SigV4Signer.encodePath(path)
        let queryString = SigV4Signer.canonicalQuery(query)
        var request = HTTPClientRequest(url: "\(endpoint.scheme)://\(endpoint.hostHeader)\(encodedPath)"
            + (queryString.isEmpty ? "" : "?" + queryString))
        request.method = method
        // Bytes as stored: a client with decompression on (`.shared` has it) would otherwise
        // ask for gzip, and a server that honoured it would make HEAD's Content-Length and
        // ranges refer to compressed bytes.
        var toSign = [("host", endpoint.hostHeader), ("accept-encoding", "identity")] + extra
        let payloadHash: String
        switch body {
        case .none:
            payloadHash = SigV4Signer.emptyPayloadHash
        case .bytes(let buffer, let sha256):
            payloadHash = sha256
            request.body = .bytes(buffer)
            toSign.append(("content-length", String(buffer.readableBytes)))
        }
        let signer = SigV4Signer(credentials: credentials, region: endpoint.region)
        let signed = signer.sign(method: method.rawValue, path: path, query: query, headers: toSign,
                                 payloadHash: payloadHash, date: .now())
        for (name, value) in toSign + signed where name != "content-length" {
            request.headers.replaceOrAdd(name: name, value: value)
        }
        do {
            return try await http.execute(request, deadline: deadline)
        } catch {
            // Transport errors carry no headers, so no signature or key reaches the message.
            throw ObjectStoreError.s3(operation: operation, status: 0, code: "\(error)")
        }
    }

    /// The error for a non-success response: S3's `<Code>` from the XML body when there is one.
    func failure(_ response: HTTPClientResponse, operation: String) async -> ObjectStoreError {
        let status = Int(response.status.code)
        let body = (try? await response.body.collect(upTo: 64 << 10)).map { String(buffer: $0) } ?? ""
        let code = XMLText.first("Code", in: body) ?? response.status.reasonPhrase
        return .s3(operation: operation, status: status, code: code)
    }

    /// Reads and drops a short answer's body, so the connection goes back to the pool
    /// instead of being closed with bytes unread.
    static func discardBody(_ response: HTTPClientResponse) async {
        _ = try? await response.body.collect(upTo: 1 << 20)
    }

    /// Reads a small XML answer (CreateMultipartUpload, CompleteMultipartUpload, listings).
    static func text(of response: HTTPClientResponse, operation: String) async throws -> String {
        do {
            return String(buffer: try await response.body.collect(upTo: 16 << 20))
        } catch {
            throw ObjectStoreError.s3(operation: operation, status: Int(response.status.code), code: "\(error)")
        }
    }
}

/// Just enough XML for S3's answers: the text of named elements, entities decoded. S3's
/// answers are flat and machine-written; a general parser (FoundationXML, libxml2) would be a
/// dependency for a handful of element names.
enum XMLText {
    /// The text of the first `<name>...</name>` in `xml`.
    static func first(_ name: String, in xml: Substring) -> String? {
        guard let open = xml.firstRange(of: "<\(name)>"),
              let close = xml[open.upperBound...].firstRange(of: "</\(name)>")
        else { return nil }
        return decode(xml[open.upperBound..<close.lowerBound])
    }

    static func first(_ name: String, in xml: String) -> String? { first(name, in: xml[...]) }

    /// Each `<name>...</name>` element's inner XML, in order.
    static func elements(_ name: String, in xml: String) -> [Substring] {
        var out: [Substring] = []
        var rest = xml[...]
        while let open = rest.firstRange(of: "<\(name)>"), let close = rest[open.upperBound...].firstRange(of: "</\(name)>") {
            out.append(rest[open.upperBound..<close.lowerBound])
            rest = rest[close.upperBound...]
        }
        return out
    }

    static func decode(_ text: Substring) -> String {
        guard text.contains("&") else { return String(text) }
        return String(text).replacing("&lt;", with: "<").replacing("&gt;", with: ">")
            .replacing("&quot;", with: "\"").replacing("&apos;", with: "'")
            .replacing("&#34;", with: "\"").replacing("&amp;", with: "&")
    }

    static func escape(_ text: String) -> String {
        text.replacing("&", with: "&amp;").replacing("<", with: "&lt;").replacing(">", with: "&gt;")
    }
}
