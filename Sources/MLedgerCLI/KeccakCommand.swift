import ArgumentParser
import LedgerCrypto
import Foundation
import Primitives

/// `mledger keccak FILE|-`: Keccak-256 of a file's bytes, for checking anchored hashes by hand.
struct KeccakCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keccak", abstract: "Print the Keccak-256 of a file (or - for standard input).")

    @Argument(help: "File to hash, or - for standard input.")
    var path: String

    func run() throws {
        let handle = path == "-" ? FileHandle.standardInput : try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        var hasher = Keccak256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        print(hasher.finalize())
    }
}
