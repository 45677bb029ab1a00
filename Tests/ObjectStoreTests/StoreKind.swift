import Testing
import ObjectStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The S3 store's part size: the suite's sizes straddle it so the single-PUT and the
/// multipart paths both run (the file store has no such boundary; it runs them all the same).
let partBoundary = 8 << 20

/// The stores the shared suite runs against.
enum StoreKind: String, CustomTestStringConvertible, Sendable {
    case file
    case s3

    var testDescription: String { rawValue }

    /// Both, unless S3 is left out on purpose with MLEDGER_SKIP_S3=1. Without that variable a
    /// missing endpoint fails every S3 case (see `S3Environment`) rather than passing quietly.
    static var enabled: [StoreKind] { environment("MLEDGER_SKIP_S3") == "1" ? [.file] : [.file, .s3] }

    /// The instance every test of this kind shares (uploads open in it are its own, so a
    /// sweep through it spares them).
    func store() throws -> any ObjectStore {
        switch self {
        case .file: SharedStores.file
        case .s3: try SharedStores.s3.get()
        }
    }

    /// Waits for what a released upload does in the background (S3: its abort request).
    func waitForBackgroundCleanup(_ store: any ObjectStore) async throws {
        guard let s3 = store as? S3ObjectStore else { return }  // the file store cleans up in deinit
        for _ in 0..<100 where !s3.activeUploads.withLockedValue({ $0.isEmpty }) {
            try await Task.sleep(nanoseconds: 50_000_000)
        }
        #expect(s3.activeUploads.withLockedValue { $0.isEmpty })
    }

    /// Another instance over the same storage: what the node sees after a restart.
    func freshInstance() throws -> any ObjectStore {
        switch self {
        case .file: FileObjectStore(root: SharedStores.fileRoot)
        case .s3: try S3Environment.current().makeStore(dataDirectory: SharedStores.s3DataDirectory)
        }
    }
}

enum SharedStores {
    static let fileRoot = makeTemporaryDirectory() + "/objects"
    static let file = FileObjectStore(root: fileRoot)

    static let s3DataDirectory = makeTemporaryDirectory()
    static let s3 = Result { try S3Environment.current().makeStore(dataDirectory: s3DataDirectory) }
}

/// The S3 server the test script started (tools/with-seaweedfs), from the environment.
struct S3Environment {
    let endpoint: S3Endpoint
    let filer: String
    let admin: S3Credentials

    struct Missing: Error, CustomStringConvertible {
        let variable: String
        var description: String {
            "\(variable) is not set: run the S3 half through tools/with-seaweedfs (tools/test does), "
                + "or set MLEDGER_SKIP_S3=1 to leave S3 out"
        }
    }

    static func current() throws -> S3Environment {
        func require(_ name: String) throws -> String {
            guard let value = environment(name), !value.isEmpty else { throw Missing(variable: name) }
            return value
        }
        return S3Environment(
            endpoint: try S3Endpoint(try require("MLEDGER_S3_ENDPOINT")),
            filer: try require("MLEDGER_S3_FILER"),
            admin: S3Credentials(accessKey: try require("MLEDGER_S3_ACCESS_KEY"),
                                 secretKey: try require("MLEDGER_S3_SECRET_KEY")))
    }

    /// A store whose company keys live in `<dataDirectory>/s3-credentials.json` (loaded afresh:
    /// a restarted node), made the way the node makes it.
    func makeStore(dataDirectory: String) throws -> S3ObjectStore {
        let settings = S3Settings(endpoint: endpoint, admin: admin, seaweedFSFiler: filer)
        let store = try ObjectStoreConfiguration.s3(settings).makeStore(dataDirectory: dataDirectory)
        guard let s3 = store as? S3ObjectStore else { throw Missing(variable: "an S3ObjectStore from .s3 settings") }
        return s3
    }
}

func environment(_ name: String) -> String? { getenv(name).map { String(cString: $0) } }
