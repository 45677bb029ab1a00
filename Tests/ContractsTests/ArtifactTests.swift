import Contracts
import LedgerCrypto
import Foundation
import Primitives
import Testing

/// The committed artifacts: embedded texts match contracts/build/, hashes hold, and a recompile
/// with the pinned vyper (when MLEDGER_PYTHON has it) is byte-identical.
struct ArtifactTests {
    static let buildDirectory = Repository.root.appendingPathComponent("contracts/build")

    @Test(arguments: ContractArtifact.contractNames)
    func embeddedTextMatchesCommittedFile(name: String) throws {
        let file = try String(contentsOf: Self.buildDirectory.appendingPathComponent("\(name).json"), encoding: .utf8)
        let embedded = try #require(ContractArtifact.embeddedText(name))
        #expect(embedded + "\n" == file, "rerun tools/build-contracts: Sources/Contracts/EmbeddedArtifacts.swift is stale")
    }

    @Test(arguments: ContractArtifact.contractNames)
    func artifactLoadsWithConsistentHashes(name: String) throws {
        let artifact = try ContractArtifact.named(name)
        #expect(Keccak256.hash(artifact.runtimeCode) == artifact.runtimeCodeHash)
        #expect(artifact.compiler.hasPrefix("vyper 0.4.3"))
        #expect(artifact.evmVersion == "cancun")
        // Init code returns the runtime code, so the runtime bytes appear inside it.
        #expect(artifact.initCode.count > artifact.runtimeCode.count)
        #expect(!artifact.abi.constructor.inputs.isEmpty)
    }

    @Test func storageLayoutNamesTheAuditedVariables() throws {
        let model = try ContractArtifact.named("ModelRecord").storageLayout
        for name in ["owner", "weightsHash", "metricsHash", "finalized", "parent", "relation", "architectureHash",
                     "hyperParametersHash", "datasets", "unverified", "artifactCommitment"] {
            #expect(model[name] != nil, "ModelRecord.\(name) has no slot")
        }
        #expect(model["owner"]?.slot == .zero && model["weightsHash"]?.slotCount == 1)
        #expect(model["datasets"]?.slotCount == 17)  // length word + 16 addresses
        // Issue 10 appended artifactCommitment: it takes the last slot, after createdBlock.
        #expect(model["artifactCommitment"]!.slot > model["createdBlock"]!.slot)
        // The training service appended recipeAnchored after it: the last slot now.
        #expect(model["recipeAnchored"]!.slot > model["artifactCommitment"]!.slot)
        #expect(model.values.allSatisfy { $0.slot <= model["recipeAnchored"]!.slot })
        let dataset = try ContractArtifact.named("DatasetRecord").storageLayout
        for name in ["owner", "commitment", "sizeBytes", "sampleCount", "statsScale", "schemaHash", "finalized", "sharedWith"] {
            #expect(dataset[name] != nil, "DatasetRecord.\(name) has no slot")
        }
        // Slots do not overlap.
        for layout in [model, dataset] {
            let ranges = layout.values.map { ($0.slot.uint64 ?? 0, UInt64($0.slotCount)) }.sorted { $0.0 < $1.0 }
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.0 + a.1 <= b.0) }
        }
    }

    @Test func corruptedArtifactIsRejected() throws {
        let text = try #require(ContractArtifact.embeddedText("DatasetRecord"))
        let hash = try ContractArtifact.named("DatasetRecord").runtimeCodeHash.description
        var flipped = Array(hash)
        flipped[10] = flipped[10] == "0" ? "1" : "0"
        let corrupted = text.replacingOccurrences(of: hash, with: String(flipped))
        #expect(throws: ContractArtifactError.runtimeHashMismatch(contract: "DatasetRecord")) {
            try ContractArtifact(json: Array(corrupted.utf8), name: "DatasetRecord")
        }
        #expect(throws: ContractArtifactError.unknownContract("Nope")) { try ContractArtifact.named("Nope") }
    }

    @Test func recompileIsByteIdentical() throws {
        guard let python = ExternalPython.path, ExternalPython.has(module: "vyper") else {
            print("[ArtifactTests] SKIPPED recompile check: MLEDGER_PYTHON is unset or has no vyper (run tools/setup, or tools/test)")
            return
        }
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-contracts-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let script = Repository.root.appendingPathComponent("tools/build-contracts").path
        let result = try ExternalPython.run(python, [script, "--out", out.path])
        try #require(result.status == 0, "tools/build-contracts failed: \(result.err)")
        var compared = 0
        for name in ContractArtifact.contractNames {
            let fresh = try Data(contentsOf: out.appendingPathComponent("contracts/build/\(name).json"))
            let committed = try Data(contentsOf: Self.buildDirectory.appendingPathComponent("\(name).json"))
            #expect(fresh == committed, "\(name): recompiled artifact differs from contracts/build/\(name).json")
            compared += 1
        }
        let swiftFile = "Sources/Contracts/EmbeddedArtifacts.swift"
        let freshSwift = try Data(contentsOf: out.appendingPathComponent(swiftFile))
        #expect(freshSwift == (try Data(contentsOf: Repository.root.appendingPathComponent(swiftFile))))
        print("[ArtifactTests] recompiled \(compared) contracts with \(python): byte-identical")
    }
}
