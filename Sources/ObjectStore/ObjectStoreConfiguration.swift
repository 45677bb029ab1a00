#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which store the node uses; the node's composition root turns it into an `ObjectStore`.
public enum ObjectStoreConfiguration: Sendable, CustomStringConvertible {
    /// The default: files under `<datadir>/objects`.
    case file
    case s3(S3Settings)

    /// `.s3` when `MLEDGER_S3_ENDPOINT` is set (with the other `MLEDGER_S3_*` variables of
    /// `S3Settings.fromEnvironment`), else `.file`.
    public static func fromEnvironment() throws -> ObjectStoreConfiguration {
        guard let settings = try S3Settings.fromEnvironment() else { return .file }
        return .s3(settings)
    }

    /// The store over `dataDirectory`; S3 keeps its per-company keys in
    /// `<dataDirectory>/s3-credentials.json`, sealed by `secrets` when given (the node passes its
    /// passphrase's sealer; tests may keep the file plain).
    public func makeStore(dataDirectory: String, secrets: (any SecretFileSealer)? = nil) throws -> any ObjectStore {
        switch self {
        case .file:
            return FileObjectStore(dataDirectory: dataDirectory)
        case .s3(let settings):
            let provisioner: any S3IdentityProvisioner = settings.seaweedFSFiler.map { SeaweedFSFilerProvisioner(filerURL: $0) }
                ?? NoProvisioning()
            let keys = try NodeS3Credentials(file: dataDirectory + "/s3-credentials.json", provisioner: provisioner, sealer: secrets)
            return S3ObjectStore(endpoint: settings.endpoint, admin: settings.admin, credentials: keys)
        }
    }

    public var description: String {
        switch self {
        case .file: "file store under <datadir>/objects"
        case .s3(let settings): "S3 store at \(settings.endpoint.scheme)://\(settings.endpoint.hostHeader)"
        }
    }
}

/// Where the S3 server is and the node's admin identity on it.
public struct S3Settings: Sendable {
    public var endpoint: S3Endpoint
    /// May create buckets and abort any multipart upload; never used for object data.
    public var admin: S3Credentials
    /// The SeaweedFS filer through which the node creates per-company identities; nil for a
    /// server whose identities an operator creates (see `S3IdentityProvisioner`).
    public var seaweedFSFiler: String?

    public init(endpoint: S3Endpoint, admin: S3Credentials, seaweedFSFiler: String?) {
        self.endpoint = endpoint
        self.admin = admin
        self.seaweedFSFiler = seaweedFSFiler
    }

    /// From `MLEDGER_S3_ENDPOINT`, `MLEDGER_S3_REGION` (default us-east-1),
    /// `MLEDGER_S3_ACCESS_KEY`, `MLEDGER_S3_SECRET_KEY` and `MLEDGER_S3_FILER` (optional);
    /// nil when no endpoint is set. A secret in the environment is the operator's choice; the
    /// node never prints it.
    public static func fromEnvironment() throws -> S3Settings? {
        func variable(_ name: String) -> String? {
            getenv(name).map { String(cString: $0) }.flatMap { $0.isEmpty ? nil : $0 }
        }
        guard let url = variable("MLEDGER_S3_ENDPOINT") else { return nil }
        guard let access = variable("MLEDGER_S3_ACCESS_KEY"), let secret = variable("MLEDGER_S3_SECRET_KEY") else {
            throw ObjectStoreError.credentials("MLEDGER_S3_ENDPOINT is set but MLEDGER_S3_ACCESS_KEY or MLEDGER_S3_SECRET_KEY is not")
        }
        return S3Settings(endpoint: try S3Endpoint(url, region: variable("MLEDGER_S3_REGION") ?? "us-east-1"),
                          admin: S3Credentials(accessKey: access, secretKey: secret),
                          seaweedFSFiler: variable("MLEDGER_S3_FILER"))
    }
}
