import Chain
import Foundation
import Primitives

/// Paths and small helpers shared by the block, genesis, pool and database tests.
enum BlockTestSupport {
    /// The repository root (three levels above this file).
    static var repositoryRoot: URL {
        var dir = URL(fileURLWithPath: #filePath)  // .../Tests/ChainTests/BlockTestSupport.swift
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir
    }

    static var devGenesisPath: String { repositoryRoot.appendingPathComponent("genesis/dev.json").path }

    /// `../shared/conformance/ethereum-tests` beside the checkout (`MLEDGER_ETHEREUM_TESTS` overrides).
    static var ethereumTests: URL {
        if let override = ProcessInfo.processInfo.environment["MLEDGER_ETHEREUM_TESTS"] {
            return URL(fileURLWithPath: override)
        }
        return repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/ethereum-tests")
    }

    static func hex(_ text: String) -> [UInt8] { (try? Hex.decode(text)) ?? [] }
    static func hash(_ text: String) -> Hash32 { (try? Hash32(hex: text)) ?? .zero }
    static func address(_ text: String) -> Address { (try? Address(hex: text)) ?? .zero }
    static func uint(_ text: String) -> UInt256 { (try? UInt256(hex: text)) ?? .zero }

    /// A fresh empty directory under the system temporary directory.
    static func temporaryDirectory(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory
            .appendingPathComponent("mledger-\(name)-\(UInt64.random(in: 0 ... .max))")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
