import Foundation
import Chain
import LedgerClient
import Primitives

/// The header chain from genesis to the head as the auditor verified it.
struct SealedChain {
    let genesisHash: Hash32
    let sealer: Address
    /// The head header the audit proves everything against.
    let head: BlockHeader
    let check: AuditCheck
    /// The auditor's checkpoint after this walk: set only when every header passed.
    var checkpoint: AuditCheckpoint? {
        check.passed ? AuditCheckpoint(genesisHash: genesisHash, sealer: sealer, number: head.number, hash: head.hash) : nil
    }
}

/// Walks every header from genesis (or from the auditor's checkpoint) to `head` and checks that
/// it links to its parent and that its seal (EIP-225 layout: the last 65 bytes of extraData)
/// recovers to the one sealer the genesis header's extraData names. Headers arrive already
/// checked against their hashes by the client, so a passing walk proves the head's state root
/// back to genesis. Headers are fetched and checked a window at a time, so memory stays flat
/// however long the chain is.
struct ChainSealAudit {
    static let name = "chain-seals"
    /// Headers requested at once by clients without batches (the in-process one).
    static let window = 16
    /// Headers fetched and checked per step of the walk.
    static let walkWindow: UInt64 = 8_192

    let client: any LedgerClient
    let expectedGenesisHash: Hash32?
    let expectedSealer: Address?
    var checkpoint: AuditCheckpoint? = nil

    func run(head number: UInt64) async throws -> SealedChain {
        guard let genesis = try await fetchHeaders(0...0).first else {
            throw LedgerClientError.malformed("the node has no genesis block")
        }
        let genesisHash = genesis.hash
        var anchor = genesis
        func result(_ sealer: Address, _ check: AuditCheck) -> SealedChain {
            SealedChain(genesisHash: genesisHash, sealer: sealer, head: anchor, check: check)
        }
        guard let sealer = Self.genesisSealer(genesis) else {
            return result(.zero, .fail(Self.name, "genesis extraData (\(genesis.extraData.count) bytes) does not name exactly one sealer "
                                       + "(32 vanity bytes, 20-byte address, 65 seal bytes)"))
        }
        if let expectedGenesisHash, expectedGenesisHash != genesisHash {
            return result(sealer, .fail(Self.name, "genesis hash \(genesisHash) is not the expected \(expectedGenesisHash)"))
        }
        if let expectedSealer, expectedSealer != sealer {
            return result(sealer, .fail(Self.name, "genesis names sealer \(sealer), expected \(expectedSealer)"))
        }
        // From the checkpoint: the same chain, not past the head, and still the same block there.
        if let checkpoint {
            guard checkpoint.genesisHash == genesisHash, checkpoint.sealer == sealer else {
                return result(sealer, .fail(Self.name, "the checkpoint is of another chain (genesis \(checkpoint.genesisHash), "
                                            + "sealer \(checkpoint.sealer)); this node's genesis is \(genesisHash)"))
            }
            guard checkpoint.number <= number else {
                return result(sealer, .fail(Self.name, "the node's head \(number) is below the checkpoint's block \(checkpoint.number)"))
            }
            guard let there = try await fetchHeaders(checkpoint.number...checkpoint.number).first,
                  there.hash == checkpoint.hash else {
                return result(sealer, .fail(Self.name, "block \(checkpoint.number) is no longer \(checkpoint.hash), "
                                            + "the hash the checkpoint verified: the chain was rewritten"))
            }
            anchor = there
        }
        let first = anchor.number
        var previousHash = anchor.hash
        var start = first + 1
        while start <= number {
            let end = min(number, start + Self.walkWindow - 1)
            let headers = try await fetchHeaders(start...end)
            // Seals on every core first (signature recovery is most of the cost), then the links
            // in order; the first failure in chain order is the one reported.
            let badSeal = Self.firstBadSeal(headers, sealer: sealer)
            for (index, header) in headers.enumerated() {
                guard header.parentHash == previousHash else {
                    return result(sealer, .fail(Self.name, "block \(header.number) does not link to block \(anchor.number) "
                                                + "(parentHash \(header.parentHash), block \(anchor.number) hashes to \(previousHash))"))
                }
                if let badSeal, badSeal.index == index {
                    return result(sealer, .fail(Self.name, "block \(header.number): \(badSeal.error)"))
                }
                anchor = header
                previousHash = header.hash
            }
            start = end + 1
        }
        let evidence: String
        if number == 0 {
            evidence = "only the genesis block \(genesisHash) exists; it names sealer \(sealer)"
        } else if first > 0 {
            evidence = "\(number - first) new headers (blocks \(first + 1)...\(number)) link to the checkpoint's block \(first) "
                + "(still \(checkpoint?.hash.description ?? "")) and are sealed by \(sealer), the sealer genesis \(genesisHash) names; "
                + "head \(previousHash) stateRoot \(anchor.stateRoot)"
        } else {
            evidence = "\(number) headers (blocks 1...\(number)) link to genesis \(genesisHash) and are sealed by \(sealer), "
                + "the sealer its extraData names; head \(previousHash) stateRoot \(anchor.stateRoot)"
        }
        return result(sealer, .pass(Self.name, evidence))
    }

    /// The lowest index whose seal does not verify against `sealer`, with the reason; checked
    /// in parallel slices (Sealer.verify is pure).
    static func firstBadSeal(_ headers: [BlockHeader], sealer: Address) -> (index: Int, error: SealError)? {
        let slices = max(1, min(ProcessInfo.processInfo.activeProcessorCount, headers.count / 64))
        let failures = SealFailures(count: slices)
        DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let lower = headers.count * slice / slices, upper = headers.count * (slice + 1) / slices
            for index in lower..<upper {
                do throws(SealError) { try Sealer.verify(headers[index], sealer: sealer) } catch {
                    failures.record(slice, index, error)
                    return
                }
            }
        }
        return failures.first
    }

    /// The first failure of each slice, written by that slice only.
    private final class SealFailures: @unchecked Sendable {
        private var found: [(index: Int, error: SealError)?]
        private let lock = NSLock()
        init(count: Int) { found = Array(repeating: nil, count: count) }
        func record(_ slice: Int, _ index: Int, _ error: SealError) { lock.withLock { found[slice] = (index, error) } }
        var first: (index: Int, error: SealError)? { lock.withLock { found.compactMap { $0 }.min { $0.index < $1.index } } }
    }

    /// The single sealer of a Clique-layout genesis extraData: 32 vanity bytes, one 20-byte
    /// address, 65 zero seal bytes.
    static func genesisSealer(_ genesis: BlockHeader) -> Address? {
        let extra = genesis.extraData
        guard extra.count == Sealer.vanityLength + 20 + Sealer.sealLength else { return nil }
        return try? Address(bytes: extra[Sealer.vanityLength..<(Sealer.vanityLength + 20)])
    }

    /// Headers `range`: in JSON-RPC batches when the client speaks JSON-RPC (one HTTP request
    /// per 100 headers instead of one each), otherwise `window` at a time. A missing header is
    /// a failure of the node.
    func fetchHeaders(_ range: ClosedRange<UInt64>) async throws -> [BlockHeader] {
        if let rpc = client as? JSONRPCLedgerClient {
            let headers = try await rpc.headers(range)
            guard headers.count == range.count else {
                throw LedgerClientError.malformed("the node has no block \(range.lowerBound + UInt64(headers.count)) below its head")
            }
            return headers
        }
        var headers: [BlockHeader] = []
        headers.reserveCapacity(range.count)
        var start = range.lowerBound
        while start <= range.upperBound {
            let end = min(range.upperBound, start &+ UInt64(Self.window - 1))
            let batch = try await withThrowingTaskGroup(of: (UInt64, BlockHeader?).self) { group in
                for n in start...end {
                    group.addTask { (n, try await client.header(number: n)) }
                }
                var found: [UInt64: BlockHeader] = [:]
                for try await (n, header) in group {
                    guard let header else { throw LedgerClientError.malformed("the node has no block \(n) below its head") }
                    found[n] = header
                }
                return (start...end).compactMap { found[$0] }
            }
            headers.append(contentsOf: batch)
            if end == range.upperBound { break }
            start = end + 1
        }
        return headers
    }
}
