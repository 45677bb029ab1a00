#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An access key pair for S3. `description` never shows the secret, so a credential that
/// ends up in a log line or an error message leaks nothing.
public struct S3Credentials: Sendable, Hashable, Codable, CustomStringConvertible, CustomDebugStringConvertible {
    public let accessKey: String
    public let secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    public var description: String { "S3Credentials(accessKey: \(accessKey), secretKey: <redacted>)" }
    public var debugDescription: String { description }
}

/// AWS Signature Version 4 for S3 requests in the `Authorization` header
/// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html):
/// canonical request → string to sign → HMAC chain over date, region, service → signature.
package struct SigV4Signer: Sendable {
    let credentials: S3Credentials
    let region: String
    let service: String

    package init(credentials: S3Credentials, region: String, service: String = "s3") {
        self.credentials = credentials
        self.region = region
        self.service = service
    }

    /// SHA-256 of the empty body, the payload hash of GET, HEAD and DELETE.
    package static let emptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

    /// The headers to add to a request: `x-amz-date`, `x-amz-content-sha256` and
    /// `Authorization`. `path` is the raw (unencoded) path starting with `/`; `headers` are
    /// the other headers to sign (at least `host`); `payloadHash` is the body's hex SHA-256.
    package func sign(method: String, path: String, query: [(String, String)], headers: [(String, String)],
              payloadHash: String, date: AmzDate) -> [(String, String)] {
        var signed = headers.map { (name: $0.0.lowercased(), value: Self.trimmed($0.1)) }
        signed.append(("x-amz-date", date.timestamp))
        signed.append(("x-amz-content-sha256", payloadHash))
        signed.sort { $0.name < $1.name }
        let signedNames = signed.map(\.name).joined(separator: ";")

        let canonicalRequest = [
            method,
            Self.encodePath(path),
            Self.canonicalQuery(query),
            signed.map { "\($0.name):\($0.value)\n" }.joined(),
            signedNames,
            payloadHash,
        ].joined(separator: "\n")

        let scope = "\(date.day)/\(region)/\(service)/aws4_request"
        let stringToSign = [
            "AWS4-HMAC-SHA256",
            date.timestamp,
            scope,
            Digest.hex(Digest.sha256(Array(canonicalRequest.utf8))),
        ].joined(separator: "\n")

        let signature = Digest.hex(Digest.hmacSHA256(key: signingKey(day: date.day), data: Array(stringToSign.utf8)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKey)/\(scope),"
            + "SignedHeaders=\(signedNames),Signature=\(signature)"
        return [("x-amz-date", date.timestamp), ("x-amz-content-sha256", payloadHash), ("authorization", authorization)]
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, day), region), service), "aws4_request").
    func signingKey(day: String) -> [UInt8] {
        var key = Digest.hmacSHA256(key: Array(("AWS4" + credentials.secretKey).utf8), data: Array(day.utf8))
        key = Digest.hmacSHA256(key: key, data: Array(region.utf8))
        key = Digest.hmacSHA256(key: key, data: Array(service.utf8))
        return Digest.hmacSHA256(key: key, data: Array("aws4_request".utf8))
    }

    /// Query parameters sorted by encoded name, then value; `name=` for a valueless one.
    package static func canonicalQuery(_ query: [(String, String)]) -> String {
        query.map { (uriEncode($0.0, keepSlash: false), uriEncode($0.1, keepSlash: false)) }
            .sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }
            .map { "\($0.0)=\($0.1)" }
            .joined(separator: "&")
    }

    /// The path as sent and as signed: each segment percent-encoded once (S3 does not
    /// double-encode, unlike the other AWS services).
    static func encodePath(_ path: String) -> String { uriEncode(path, keepSlash: true) }

    /// RFC 3986 encoding as SigV4 wants it: unreserved characters stay, everything else is
    /// `%XX` with upper-case hex.
    package static func uriEncode(_ text: String, keepSlash: Bool) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for b in text.utf8 {
            let unreserved = (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || (b >= 0x30 && b <= 0x39)
                || b == UInt8(ascii: "-") || b == UInt8(ascii: "_") || b == UInt8(ascii: ".") || b == UInt8(ascii: "~")
            if unreserved || (keepSlash && b == UInt8(ascii: "/")) {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 15)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Header values are signed with outer spaces removed and inner runs collapsed to one.
    package static func trimmed(_ value: String) -> String {
        value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
    }
}

/// The request time in SigV4's two forms: `20130524T000000Z` and `20130524`.
package struct AmzDate: Sendable {
    package let timestamp: String
    package var day: String { String(timestamp.prefix(8)) }

    package init(timestamp: String) { self.timestamp = timestamp }

    /// Now, in UTC.
    static func now() -> AmzDate { AmzDate(secondsSince1970: time(nil)) }

    package init(secondsSince1970 seconds: time_t) {
        var t = seconds
        var parts = tm()
        gmtime_r(&t, &parts)
        func pad(_ value: Int32, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        timestamp = pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2)
            + "T" + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
    }
}
