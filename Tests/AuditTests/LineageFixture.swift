import Chain
import Contracts
import LedgerCrypto
import Datasets
import Foundation
import LedgerClient
import Primitives
import RPC

/// Records deployed on a dev chain through the JSON-RPC client, signed with the public dev
/// keys: company A (dev account 1) and company B (dev account 2).
struct LineageFixture {
    let chain: DevChain
    let directory: URL
    let model: ModelRecordBinding
    let dataset: DatasetRecordBinding

    static var companyA: [UInt8] { DevelopmentAccounts.accountKeys[0] }
    static var companyB: [UInt8] { DevelopmentAccounts.accountKeys[1] }

    init(chain: DevChain) throws {
        self.chain = chain
        model = try ModelRecordBinding()
        dataset = try DatasetRecordBinding()
        directory = URL(fileURLWithPath: chain.directory).appendingPathComponent("files")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    var client: JSONRPCLedgerClient { chain.client }

    static func address(_ key: [UInt8]) throws -> Address { try Secp256k1.address(ofPrivateKey: key) }

    // MARK: Transactions

    /// A gas-free EIP-1559 transaction from `key`, sent over JSON-RPC, sealed, and its receipt.
    @discardableResult
    func send(_ key: [UInt8], to: Address?, data: [UInt8], gas: UInt64 = 8_000_000) async throws -> ReceiptDetails {
        let sender = try Self.address(key)
        let nonce = try await client.transactionCount(of: sender, at: .tag(.pending))
        let transaction = try Transaction(.dynamicFee(DynamicFeeTransaction(
            chainId: 1337, nonce: nonce, maxPriorityFeePerGas: .zero, maxFeePerGas: .zero, gasLimit: gas,
            to: to, value: .zero, data: data))).signed(privateKey: key)
        let hash = try await client.sendRawTransaction(transaction.encoded)
        _ = try chain.node.sealer?.sealNext()
        guard let receipt = try await client.receipt(transactionHash: hash) else {
            throw LedgerClientError.timeout("transaction \(hash) was not sealed")
        }
        return receipt
    }

    /// Deploys and returns the new contract's address; the deployment must succeed.
    func deploy(_ key: [UInt8], _ data: [UInt8]) async throws -> Address {
        let receipt = try await send(key, to: nil, data: data)
        guard receipt.receipt.succeeded, let address = receipt.contractAddress else {
            throw LedgerClientError.malformed("deployment from \(try Self.address(key)) failed")
        }
        return address
    }

    /// `eth_call` from `key`'s address.
    func call(_ key: [UInt8], to: Address?, data: [UInt8]) async throws -> [UInt8] {
        var request = CallRequest()
        request.from = try Self.address(key)
        request.to = to
        request.input = data
        return try await client.call(request, at: .latest)
    }

    // MARK: Files

    /// Writes `bytes` under the fixture's directory.
    func write(_ name: String, _ bytes: [UInt8]) throws -> String {
        let url = directory.appendingPathComponent(name)
        try Data(bytes).write(to: url)
        return url.path
    }

    /// A small sensor CSV whose values depend on `seed`.
    func writeCSV(_ name: String, seed: Int, rows: Int = 200) throws -> String {
        var text = "power_w,temperature_c,humidity\n"
        for i in 0..<rows {
            let x = Double((i * 37 + seed * 11) % 101)
            text += "\(x * 1.5),\(20 + x / 10),\(Double((i * 13 + seed) % 50) / 2)\n"
        }
        return try write(name, Array(text.utf8))
    }

    /// Stand-in weights: deterministic bytes.
    func writeArtifact(_ name: String, seed: UInt8, count: Int = 4096) throws -> String {
        try write(name, (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ Int(seed)) })
    }

    // MARK: Records

    /// Deploys a DatasetRecord for the scanned file, sets its statistics, and finalizes it unless asked not to.
    /// `adjust` may change the statistics before they are recorded (a record that misstates its data).
    func registerDataset(_ key: [UInt8], file: String, id: String, finalize: Bool = true,
                         adjust: ([FeatureStatistics]) -> [FeatureStatistics] = { $0 }) async throws -> Address {
        let summary = try DatasetScanner.scan(path: file)
        let content = DatasetContent(commitment: summary.commitment, sizeBytes: UInt256(summary.sizeBytes),
                                     sampleCount: UInt256(summary.sampleCount),
                                     sampleShape: summary.sampleShape.map { UInt256($0) }, schemaHash: summary.schemaHash)
        let address = try await deploy(key, try dataset.deployData(datasetId: id, content: content))
        let statistics = adjust(try summary.fixedPointFeatures().map {
            FeatureStatistics(count: $0.count, mean: $0.mean, variance: $0.variance, minimum: $0.minimum, maximum: $0.maximum)
        })
        try await expectSuccess(try await send(key, to: address, data: try dataset.setStatistics(
            statsScale: FixedPoint.defaultScale, statistics)))
        if finalize { try await expectSuccess(try await send(key, to: address, data: try dataset.finalize())) }
        return address
    }

    func registration(id: String, datasets: [Address], parent: Address = .zero,
                      relation: ModelRelation = .none, unverified: Bool = false) -> ModelRegistration {
        ModelRegistration(modelId: id, developerId: "dev-1", backend: "mledger/safetensors",
                          architectureHash: Keccak256.hash(Array("gru-2x32-\(id)".utf8)),
                          hyperParameters: #"{"epochs":3,"lr":0.001}"#, seeds: [42, 7], trainingRecipe: "mledger/gru",
                          datasets: datasets, inputShape: [24, 3], outputShape: [1], parameterCount: 9_857,
                          parent: parent, relation: relation, unverified: unverified)
    }

    /// Deploys a ModelRecord and, when `weights` is given, finalizes it with that file's hash.
    func registerModel(_ key: [UInt8], _ registration: ModelRegistration, weights: String?) async throws -> Address {
        let address = try await deploy(key, try model.deployData(registration))
        if let weights {
            let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: weights)))
            try await expectSuccess(try await send(key, to: address, data: try model.finalize(
                weightsHash: Keccak256.hash(bytes), metricsHash: Keccak256.hash(Array("mse=0.01".utf8)))))
        }
        return address
    }

    func expectSuccess(_ receipt: ReceiptDetails) async throws {
        guard receipt.receipt.succeeded else {
            throw LedgerClientError.malformed("transaction \(receipt.transactionHash) failed on chain")
        }
    }

    /// A three-level lineage owned by company A: root model citing A's dataset and B's dataset
    /// shared with A, a fine-tuned child, and a translated grandchild (the audited model).
    struct ThreeLevels {
        let ownDataset: Address, sharedDataset: Address
        let root: Address, child: Address, grandchild: Address
        let ownCSV: String, sharedCSV: String, grandchildWeights: String
    }

    func threeLevels() async throws -> ThreeLevels {
        let a = Self.companyA, b = Self.companyB
        let ownCSV = try writeCSV("own.csv", seed: 1)
        let sharedCSV = try writeCSV("shared.csv", seed: 2)
        let own = try await registerDataset(a, file: ownCSV, id: "plant-a-power")
        let shared = try await registerDataset(b, file: sharedCSV, id: "plant-b-power")
        try await expectSuccess(try await send(b, to: shared, data: try dataset.share(try Self.address(a))))
        let root = try await registerModel(a, registration(id: "root", datasets: [own, shared]),
                                           weights: try writeArtifact("root.safetensors", seed: 1))
        let child = try await registerModel(a, registration(id: "child", datasets: [own], parent: root, relation: .fineTunedFrom),
                                            weights: try writeArtifact("child.safetensors", seed: 2))
        let weights = try writeArtifact("grandchild.onnx", seed: 3)
        let grandchild = try await registerModel(a, registration(id: "grandchild", datasets: [], parent: child,
                                                                 relation: .translatedFrom), weights: weights)
        return ThreeLevels(ownDataset: own, sharedDataset: shared, root: root, child: child, grandchild: grandchild,
                           ownCSV: ownCSV, sharedCSV: sharedCSV, grandchildWeights: weights)
    }
}
