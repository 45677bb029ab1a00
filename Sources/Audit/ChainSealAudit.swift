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
}

/// Walks every header from genesis to `head` and checks that it links to its parent and that
/// its seal (EIP-225 layout: the last 65 bytes of extraData) recovers to the one sealer the
/// genesis header's extraData names. Headers arrive already checked against their hashes by
/// the client, so a passing walk proves the head's state root back to genesis.
struct ChainSealAudit {
    static let name = "chain-seals"
    /// Headers requested at once (the JSON-RPC client opens one request each).
    static let window = 16

    let client: any LedgerClient
    let expectedGenesisHash: Hash32?
    let expectedSealer: Address?

    func run(head number: UInt64) async throws -> SealedChain {
        let headers = try await fetchHeaders(0...number)
        let genesis = headers[0]
        let genesisHash = genesis.hash
        func result(_ sealer: Address, _ check: AuditCheck) -> SealedChain {
            SealedChain(genesisHash: genesisHash, sealer: sealer, head: headers[headers.count - 1], check: check)
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
        var previous = genesis
        var previousHash = genesisHash
        for header in headers.dropFirst() {
            guard header.parentHash == previousHash else {
                return result(sealer, .fail(Self.name, "block \(header.number) does not link to block \(previous.number) "
                                            + "(parentHash \(header.parentHash), block \(previous.number) hashes to \(previousHash))"))
            }
            do {
                try Sealer.verify(header, sealer: sealer)
            } catch {
                return result(sealer, .fail(Self.name, "block \(header.number): \(error)"))
            }
            previous = header
            previousHash = header.hash
        }
        let evidence = number == 0
            ? "only the genesis block \(genesisHash) exists; it names sealer \(sealer)"
            : "\(number) headers (blocks 1...\(number)) link to genesis \(genesisHash) and are sealed by \(sealer), "
                + "the sealer its extraData names; head \(previousHash) stateRoot \(previous.stateRoot)"
        return result(sealer, .pass(Self.name, evidence))
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
