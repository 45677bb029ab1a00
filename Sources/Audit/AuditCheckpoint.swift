import Foundation
import Primitives

/// The auditor's own note of the header chain it has verified: genesis, sealer, and the last
/// height and hash that passed every link and seal check. Nobody signs it; the auditor trusts
/// it because the auditor wrote it (`mledger audit --checkpoint FILE`). A later audit then checks
/// only the headers above it, plus that the node's block at that height still has that hash, so
/// repeated audits cost what the chain grew, not what it holds.
public struct AuditCheckpoint: Equatable, Sendable {
    public static let format = "mledger-audit-checkpoint/1"

    public let genesisHash: Hash32
    public let sealer: Address
    public let number: UInt64
    public let hash: Hash32

    public init(genesisHash: Hash32, sealer: Address, number: UInt64, hash: Hash32) {
        self.genesisHash = genesisHash
        self.sealer = sealer
        self.number = number
        self.hash = hash
    }

    public enum FileError: Error, CustomStringConvertible {
        case unreadable(String, String)
        case malformed(String, String)

        public var description: String {
            switch self {
            case let .unreadable(path, why): "checkpoint \(path) cannot be read: \(why)"
            case let .malformed(path, why): "checkpoint \(path) is not an MLedger audit checkpoint: \(why)"
            }
        }
    }

    /// The checkpoint in `path`; nil when the file does not exist yet (a first audit).
    public static func read(path: String) throws(FileError) -> AuditCheckpoint? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw .unreadable(path, error.localizedDescription)
        }
        let object: JSONValue
        do { object = try JSONValue(parsing: [UInt8](data)) } catch { throw .malformed(path, "\(error)") }
        guard object["format"]?.stringValue == format else { throw .malformed(path, "format is not \"\(format)\"") }
        guard let genesis = object["genesisHash"]?.stringValue.flatMap({ try? Hash32(hex: $0) }),
              let sealer = object["sealer"]?.stringValue.flatMap({ try? Address(hex: $0) }),
              let hash = object["hash"]?.stringValue.flatMap({ try? Hash32(hex: $0) }),
              let number = object["number"]?.uint64Value else {
            throw .malformed(path, "genesisHash, sealer, number and hash are required")
        }
        return AuditCheckpoint(genesisHash: genesis, sealer: sealer, number: number, hash: hash)
    }

    /// Writes the checkpoint atomically (temporary file, then rename), so an interrupted write
    /// leaves the previous checkpoint in place.
    public func write(path: String) throws {
        let document: JSONValue = ["format": .string(Self.format), "genesisHash": .string(genesisHash.description),
                                   "sealer": .string(sealer.description), "number": .number(JSONNumber(number)),
                                   "hash": .string(hash.description)]
        let text = document.prettyPrinted + "\n"
        let target = URL(fileURLWithPath: path)
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Data(text.utf8).write(to: temporary)
        if FileManager.default.fileExists(atPath: path) {
            _ = try FileManager.default.replaceItemAt(target, withItemAt: temporary)
        } else {
            try FileManager.default.moveItem(at: temporary, to: target)
        }
    }
}
