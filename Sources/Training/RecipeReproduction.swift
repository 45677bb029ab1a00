import Chain
import Contracts
import LedgerCrypto
import Datasets
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerClient
import ML
import Primitives
import RPC

/// Re-runs the training recipe a `ModelRecord` anchors and compares the weights hash: what
/// `mledger reproduce` and `mledger audit --retrain` do. Everything comes from the chain
/// (recipe, seeds, trainer identity, dataset commitments, weights hash) except the dataset
/// bytes, which are given as files or fetched from a sharing URL and checked against their
/// commitments before they are used.
public struct RecipeReproduction {
    public let client: any LedgerClient
    public let threads: Int
    let model = try! ModelRecordBinding()
    let dataset = try! DatasetRecordBinding()

    public init(client: any LedgerClient, threads: Int) {
        self.client = client
        self.threads = max(1, threads)
    }

    /// One named check of a reproduction.
    public struct Check: Sendable, Equatable {
        public var name: String
        public var passed: Bool
        public var detail: String
    }

    /// Where dataset bytes come from.
    public enum DatasetSource: Sendable {
        case files([URL])
        /// A model-sharing base URL: `GET /dataset/{dataset_id}` for each cited record.
        case sharing(URL)
    }

    /// Reads the recipe of the record at `address`, gets and checks its dataset, re-runs the
    /// built-in trainer and compares the weights hash. Errors that stop the run are thrown;
    /// differences are FAIL checks.
    public func reproduce(model address: Address, datasets source: DatasetSource) async throws -> [Check] {
        var checks: [Check] = []
        guard try await read(model.recipeAnchored(), at: address) else {
            throw TrainingRunFailure("model \(address) anchors no training recipe (it was not trained by an MLedger training service)")
        }
        guard try await read(model.finalized(), at: address) else { throw TrainingRunFailure("model \(address) is not finalized yet") }
        let hyper = try await read(model.hyperParameters(), at: address)
        let seeds = try await read(model.seeds(), at: address)
        let recipe = try await read(model.trainingRecipe(), at: address)
        let expected = try await read(model.weightsHash(), at: address)
        guard let identity = JSONValue.parse(Array(recipe.utf8)), let trainer = identity["trainer"]?.stringValue else {
            throw TrainingRunFailure("trainingRecipe is not a trainer identity document: \(recipe)")
        }
        guard let builtin = BuiltinTrainer(rawValue: trainer) else {
            throw TrainingRunFailure("trainer \(trainer) is not a built-in trainer; only built-in recipes can be re-run here")
        }
        let code = builtin.codeHash.description
        let sameCode = identity["code"]?.stringValue == code
        checks.append(Check(name: "trainer-identity", passed: sameCode,
                            detail: sameCode ? "\(trainer) code \(code)" : "record names code \(identity["code"]?.stringValue ?? "none"), this build \(code)"))
        guard let document = JSONValue.parse(Array(hyper.utf8)) else { throw TrainingRunFailure("hyperParameters is not JSON") }
        let seed: UInt64
        do { seed = try builtin.resolve(document, defaultSeed: 0).seed } catch {
            throw TrainingRunFailure("anchored hyper-parameters: \(error)")
        }
        let seedsMatch = seeds == [UInt256(seed)]
        checks.append(Check(name: "seeds", passed: seedsMatch, detail: "anchored [\(seeds.map(\.decimalString).joined(separator: ", "))], parameters seed \(seed)"))

        let cited = try await read(model.datasets(), at: address)
        guard cited.count == 1 else { throw TrainingRunFailure("\(trainer) trains on one dataset; the record cites \(cited.count)") }
        let commitment = try await read(dataset.commitment(), at: cited[0])
        let bytes = try await datasetBytes(record: cited[0], commitment: commitment, source: source, checks: &checks)
        guard let bytes else {
            checks.append(Check(name: "weights-hash", passed: false, detail: "not re-run: no dataset bytes match commitment \(commitment)"))
            return checks
        }
        let work = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("mledger-reproduce-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let output = try builtin.run(dataset: bytes, parameters: document, threads: threads, output: work)
        let got = Keccak256.hash(Array(try Data(contentsOf: output.weightsFile)))
        checks.append(Check(name: "weights-hash", passed: got == expected,
                            detail: got == expected ? got.description : "expected \(expected) got \(got)"))
        return checks
    }

    private func datasetBytes(record: Address, commitment: Hash32, source: DatasetSource, checks: inout [Check]) async throws -> [UInt8]? {
        switch source {
        case .files(let urls):
            var seen: [String] = []
            for url in urls {
                let bytes = Array(try Data(contentsOf: url))
                let root = Self.commitment(bytes)
                if root == commitment {
                    checks.append(Check(name: "dataset \(commitment)", passed: true, detail: "\(url.path) matches record \(record)"))
                    return bytes
                }
                seen.append("\(url.lastPathComponent) has \(root)")
            }
            checks.append(Check(name: "dataset \(commitment)", passed: false,
                                detail: "no given file matches the commitment of record \(record) (\(seen.joined(separator: "; ")))"))
            return nil
        case .sharing(let base):
            let id = try await read(dataset.datasetId(), at: record)
            let url = base.appendingPathComponent("dataset").appendingPathComponent(id)
            let (data, response) = try await URLSession.shared.data(from: url)
            let status = (response as? HTTPURLResponse)?.statusCode ?? 0
            guard status == 200 else {
                checks.append(Check(name: "dataset \(commitment)", passed: false, detail: "GET \(url) answered \(status)"))
                return nil
            }
            let bytes = Array(data)
            let root = Self.commitment(bytes)
            checks.append(Check(name: "dataset \(commitment)", passed: root == commitment,
                                detail: root == commitment ? "fetched from \(url)" : "bytes from \(url) have commitment \(root)"))
            return root == commitment ? bytes : nil
        }
    }

    static func commitment(_ bytes: [UInt8]) -> Hash32 {
        var tree = ChunkMerkleCommitment()
        tree.update(bytes)
        return tree.finalize()
    }

    private func read<R>(_ call: ContractCall<R>, at address: Address) async throws -> R {
        var request = CallRequest()
        request.to = address
        request.input = call.data
        return try call.decode(try await client.call(request, at: .latest))
    }
}
