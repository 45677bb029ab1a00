import Testing
@testable import ObjectStore

/// The S3 store's part size: the suite's sizes straddle it so the single-PUT and the
/// multipart paths both run (the file store has no such boundary; it runs them all the same).
let partBoundary = 8 << 20

/// The stores the shared suite runs against.
enum StoreKind: String, CustomTestStringConvertible, Sendable {
    case file

    var testDescription: String { rawValue }

    static var enabled: [StoreKind] { [.file] }

    /// The instance every test of this kind shares (uploads open in it are its own, so a
    /// sweep through it spares them).
    func store() throws -> any ObjectStore {
        switch self {
        case .file: SharedStores.file
        }
    }

    /// Another instance over the same storage: what the node sees after a restart.
    func freshInstance() throws -> any ObjectStore {
        switch self {
        case .file: FileObjectStore(root: SharedStores.fileRoot)
        }
    }
}

enum SharedStores {
    static let fileRoot = makeTemporaryDirectory() + "/objects"
    static let file = FileObjectStore(root: fileRoot)
}
