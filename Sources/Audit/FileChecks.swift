import Contracts
import LedgerCrypto
import Datasets
import Foundation
import Primitives

/// Checks of local files against proven records: the model artifact against `weightsHash`, and
/// dataset files against their `DatasetRecord` commitment, shape and statistics.
enum FileChecks {
    static let weightsName = "weights-hash"
    static func datasetName(_ path: String) -> String { "dataset-file@\(path)" }
    static let readBlock = 1 << 20

    /// Keccak-256 of the file's exact bytes (MLedger's definition of `weightsHash`) and the root
    /// of its 64 KiB chunk tree (what `artifactCommitment` anchors), in one streamed pass.
    static func keccak(path: String) throws(AuditFailure) -> (hash: Hash32, size: UInt64, chunkRoot: Hash32) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw AuditFailure("cannot open \(path)") }
        defer { try? handle.close() }
        var hasher = Keccak256()
        var chunks = ChunkMerkleCommitment()
        var size: UInt64 = 0
        while true {
            let chunk: Data
            do {
                guard let read = try handle.read(upToCount: readBlock) else { break }
                chunk = read
            } catch {
                throw AuditFailure("cannot read \(path): \(error.localizedDescription)")
            }
            if chunk.isEmpty { break }
            chunk.withUnsafeBytes { hasher.update($0); chunks.update($0) }
            size += UInt64(chunk.count)
        }
        return (hasher.finalize(), size, chunks.finalize())
    }

    /// The artifact's hash must equal the audited model's proven `weightsHash`.
    static func weights(path: String, model: ModelRecordState?) -> AuditCheck {
        guard let model else { return .fail(weightsName, "the audited model's weightsHash could not be proven") }
        guard model.finalized, model.weightsHash != .zero else {
            return .fail(weightsName, "model \(model.address) is not finalized: it holds no weightsHash")
        }
        let file: (hash: Hash32, size: UInt64, chunkRoot: Hash32)
        do { file = try keccak(path: path) } catch { return .fail(weightsName, error.description) }
        // A record finalized with its artifact's chunk root (model sharing) must match that too.
        if model.artifactCommitment != .zero, file.chunkRoot != model.artifactCommitment {
            return .fail(weightsName, "the 64 KiB chunk root of \(path) is \(file.chunkRoot), but \(model.address) holds artifactCommitment \(model.artifactCommitment)")
        }
        if file.hash == model.weightsHash, model.artifactCommitment != .zero {
            return .pass(weightsName, "keccak256(\(path), \(file.size) bytes) = \(file.hash) = weightsHash and its chunk root = artifactCommitment of \(model.address)")
        }
        if file.hash == model.weightsHash {
            return .pass(weightsName, "keccak256(\(path), \(file.size) bytes) = \(file.hash) = weightsHash of \(model.address)")
        }
        return .fail(weightsName, "keccak256(\(path), \(file.size) bytes) = \(file.hash), but \(model.address) holds weightsHash \(model.weightsHash)")
    }

    /// Relative tolerance for mean and variance: exact integers come from the same scan, but
    /// a record written by another implementation may round the last digit differently.
    static let momentTolerance = 1e-9

    /// Scans the file and matches it with the lineage dataset of the same commitment.
    static func dataset(path: String, candidates: [DatasetRecordState]) -> AuditCheck {
        let name = datasetName(path)
        let summary: DatasetSummary
        do { summary = try DatasetScanner.scan(path: path) } catch { return .fail(name, "cannot scan \(path): \(error)") }
        guard let record = candidates.first(where: { $0.commitment == summary.commitment }) else {
            let known = candidates.map { "\($0.address) \($0.commitment)" }.joined(separator: ", ")
            return .fail(name, "commitment \(summary.commitment) matches no dataset record of the lineage"
                         + (known.isEmpty ? "" : " (records: \(known))"))
        }
        var problems: [String] = []
        if record.sizeBytes != UInt256(summary.sizeBytes) {
            problems.append("size \(summary.sizeBytes) bytes, record says \(record.sizeBytes)")
        }
        if record.sampleCount != UInt256(summary.sampleCount) {
            problems.append("\(summary.sampleCount) samples, record says \(record.sampleCount)")
        }
        if record.sampleShape != summary.sampleShape.map({ UInt256($0) }) {
            problems.append("sample shape \(summary.sampleShape), record says \(record.sampleShape)")
        }
        if record.schemaHash != summary.schemaHash {
            problems.append("schema hash \(summary.schemaHash), record says \(record.schemaHash)")
        }
        problems += statisticsProblems(summary, record)
        if problems.isEmpty {
            return .pass(name, "commitment \(summary.commitment), \(summary.sizeBytes) bytes, \(summary.sampleCount) samples, "
                         + "schema and statistics of \(summary.features.count) features match dataset \(record.address)")
        }
        return .fail(name, "dataset \(record.address): " + problems.joined(separator: "; "))
    }

    static func statisticsProblems(_ summary: DatasetSummary, _ record: DatasetRecordState) -> [String] {
        guard !record.statistics.isEmpty, !record.statsScale.isZero else {
            return ["the record holds no statistics to compare with the file's"]
        }
        guard record.statistics.count == summary.features.count else {
            return ["\(summary.features.count) features, record has statistics for \(record.statistics.count)"]
        }
        let scanned: [FixedPointFeature]
        do { scanned = try summary.fixedPointFeatures(scale: record.statsScale) } catch {
            return ["statistics cannot be expressed at scale \(record.statsScale): \(error)"]
        }
        var problems: [String] = []
        for (i, (file, chain)) in zip(scanned, record.statistics).enumerated() {
            if file.count != chain.count { problems.append("feature \(i) count \(file.count), record \(chain.count)") }
            if file.minimum != chain.minimum { problems.append("feature \(i) minimum differs") }
            if file.maximum != chain.maximum { problems.append("feature \(i) maximum differs") }
            for (label, a, b) in [("mean", file.mean, chain.mean), ("variance", file.variance, chain.variance)] {
                let x = FixedPoint.decode(a, scale: record.statsScale), y = FixedPoint.decode(b, scale: record.statsScale)
                if abs(x - y) > momentTolerance * max(1, abs(y)) {
                    problems.append("feature \(i) \(label) \(x), record \(y)")
                }
            }
        }
        return problems
    }
}
