import AsyncHTTPClient
import Foundation
import NIOCore

/// An OpenID Connect issuer's signing keys: `jwks_uri` found through
/// `<issuer>/.well-known/openid-configuration` (whose `issuer` must equal the configured one),
/// the key set cached, and fetched again when a token names an unknown `kid` — at most once per
/// `minimumRefreshInterval`, so a flood of made-up kids cannot turn into a flood of fetches.
public actor OIDCKeySource: VerificationKeySource {
    public let issuer: String
    public let minimumRefreshInterval: Double
    let client: HTTPClient
    private var keys: VerificationKeys?
    private var lastFetch: Double = -.infinity
    private var jwksURI: String?

    public init(issuer: String, minimumRefreshInterval: Double = 30, client: HTTPClient = .shared) {
        self.issuer = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        self.minimumRefreshInterval = minimumRefreshInterval
        self.client = client
    }

    public func currentKeys() async throws -> VerificationKeys {
        if let keys { return keys }
        return try await fetch()
    }

    public func refreshedKeys(forUnknownKid kid: String) async -> VerificationKeys? {
        guard Date().timeIntervalSince1970 - lastFetch >= minimumRefreshInterval else { return nil }
        return try? await fetch()
    }

    /// Discovery (once) and the key set; the cache is replaced only by a successful fetch.
    @discardableResult
    public func fetch() async throws -> VerificationKeys {
        lastFetch = Date().timeIntervalSince1970
        if jwksURI == nil {
            let document = try await getJSON(issuer + "/.well-known/openid-configuration")
            guard let object = document as? [String: Any], let uri = object["jwks_uri"] as? String else {
                throw OIDCDiscoveryError("openid-configuration of \(issuer) has no jwks_uri")
            }
            let announced = (object["issuer"] as? String).map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
            guard announced == issuer else {
                throw OIDCDiscoveryError("openid-configuration names issuer \(announced ?? "none"), expected \(issuer)")
            }
            jwksURI = uri
        }
        let bytes = try await get(jwksURI!)
        let fresh: VerificationKeys
        do { fresh = try await VerificationKeys.from(jwksJSON: Data(bytes)) } catch {
            throw OIDCDiscoveryError("JWKS at \(jwksURI!): \(error)")
        }
        keys = fresh
        return fresh
    }

    private func getJSON(_ url: String) async throws -> Any {
        let bytes = try await get(url)
        do { return try JSONSerialization.jsonObject(with: Data(bytes)) } catch {
            throw OIDCDiscoveryError("\(url) is not JSON")
        }
    }

    private func get(_ url: String) async throws -> [UInt8] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: .seconds(10))
        guard response.status.code == 200 else {
            throw OIDCDiscoveryError("GET \(url) answered \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: 1 << 20)
        return Array(buffer: body)
    }
}

public struct OIDCDiscoveryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}
