import Foundation
import Primitives
import RLP
import Storage
import Trie

/// Where a transaction sits in the canonical chain.
public struct TransactionLocation: Equatable, Sendable {
    public var blockHash: Hash32
    public var blockNumber: UInt64
    public var index: UInt32

    public init(blockHash: Hash32, blockNumber: UInt64, index: UInt32) {
        self.blockHash = blockHash; self.blockNumber = blockNumber; self.index = index
    }

    var encoded: [UInt8] {
        blockHash.bytes + ChainDatabaseKey.bigEndian(blockNumber)
            + [UInt8(truncatingIfNeeded: index >> 24), UInt8(truncatingIfNeeded: index >> 16),
               UInt8(truncatingIfNeeded: index >> 8), UInt8(truncatingIfNeeded: index)]
    }

    init?(encoded bytes: [UInt8]) {
        guard bytes.count == 44, let hash = try? Hash32(bytes: bytes[0..<32]) else { return nil }
        self.init(blockHash: hash, blockNumber: ChainDatabaseKey.uint64(bigEndian: bytes[32..<40]),
                  index: UInt32(ChainDatabaseKey.uint64(bigEndian: bytes[40..<44])))
    }
}

/// The ledger's blocks, receipts, indexes and state nodes over a `KeyValueStore` (LevelDB
/// on disk), with the key schema of `ChainDatabaseKey`. Every block is committed in one
/// atomic write batch together with its receipts, indexes, state nodes and the new head
/// pointer, so a process killed at any moment restarts at the last committed block with
/// everything that block needs. The chain has one sealer, so it never reorganises: the
/// canonical index only grows. Thread-safe: reads run alongside a commit; commits take turns.
public final class ChainDatabase: @unchecked Sendable {
    public let store: any KeyValueStore
    private let lock = NSLock()
    /// Serialises writers, so two commits cannot both extend the same head.
    private let writeLock = NSLock()
    private var cachedHead: BlockHeader?
    /// The newest committed blocks with their receipts, decoded: clients ask about the block
    /// just made (receipts, logs, new heads) far more than about old ones.
    private var recentBlocks: [(block: Block, hash: Hash32, receipts: [Receipt])] = []
    private static let recentBlockCount = 16

    private func recent(_ hash: Hash32) -> (block: Block, hash: Hash32, receipts: [Receipt])? {
        lock.withLock { recentBlocks.last { $0.hash == hash } }
    }

    /// Drops the decoded recent blocks, so the next reads come from the store (verification
    /// must see what is on disk, not what was committed in this process).
    public func forgetRecentBlocks() {
        lock.withLock { recentBlocks.removeAll() }
    }

    public init(store: any KeyValueStore) throws(ChainDatabaseError) {
        self.store = store
        cachedHead = try readHead()
    }

    /// Opens (creating if needed) a LevelDB database in `path`. Without `sync` a committed
    /// block survives the process being killed (the write is in the operating system's
    /// hands); with it, each commit also waits for the disk, surviving power loss.
    public static func open(path: String, sync: Bool = false) throws(ChainDatabaseError) -> ChainDatabase {
        do {
            return try ChainDatabase(store: LevelDBStore(path: path, sync: sync))
        } catch let error as StorageError {
            throw .storage(error)
        } catch {
            throw error as? ChainDatabaseError ?? .storage(.io(message: "\(error)"))
        }
    }

    /// Trie nodes of the state, for tries opened at any committed state root.
    public var stateNodeStore: KeyValueTrieNodeStore {
        KeyValueTrieNodeStore(store, keyPrefix: [ChainDatabaseKey.statePrefix])
    }

    // MARK: Writing

    /// Writes the genesis block and its state, or checks that the database already starts
    /// with this very block (re-initialising with another genesis is refused).
    /// `document` (the genesis file's bytes) is kept so that later runs need no genesis file.
    public func initialize(genesis block: Block, stateNodes: [StateNode],
                           document: [UInt8]? = nil) throws(ChainDatabaseError) {
        guard block.number == 0 else { throw .notGenesis(number: block.number) }
        writeLock.lock()
        defer { writeLock.unlock() }
        if let stored = try genesisHash {
            guard stored == block.hash else { throw .genesisMismatch(stored: stored, given: block.hash) }
            return
        }
        var batch = try commitBatch(block, receipts: [], stateNodes: stateNodes)
        batch.put(ChainDatabaseKey.genesis, block.hash.bytes)
        if let document { batch.put(ChainDatabaseKey.genesisDocument, document) }
        try apply(batch, newHead: block.header)
    }

    /// Commits `block` as the new head in one atomic batch: header, body, receipts, hash and
    /// number indexes, transaction lookups, the state nodes the block created and the head
    /// pointer. The block must extend the current head.
    public func commit(_ block: Block, receipts: [Receipt], stateNodes: [StateNode]) throws(ChainDatabaseError) {
        writeLock.lock()
        defer { writeLock.unlock() }
        guard try genesisHash != nil else { throw .notInitialized }
        try apply(try commitBatch(block, receipts: receipts, stateNodes: stateNodes), newHead: block.header)
        lock.withLock {
            recentBlocks.append((block, block.hash, receipts))
            if recentBlocks.count > Self.recentBlockCount { recentBlocks.removeFirst() }
        }
    }

    /// The batch `commit` writes, after checking that `block` extends the head. Exposed to
    /// the package so tests can drop it on the floor (an interrupted write).
    package func commitBatch(_ block: Block, receipts: [Receipt],
                             stateNodes: [StateNode]) throws(ChainDatabaseError) -> WriteBatch {
        let head = lock.withLock { cachedHead }
        if let head {
            guard block.number == head.number + 1, block.header.parentHash == head.hash else {
                throw .notChildOfHead(number: block.number, parentHash: block.header.parentHash,
                                      headNumber: head.number, headHash: head.hash)
            }
        } else if block.number != 0 {
            throw .notChildOfHead(number: block.number, parentHash: block.header.parentHash, headNumber: nil, headHash: nil)
        }
        guard receipts.count == block.transactions.count else {
            throw .receiptCountMismatch(transactions: block.transactions.count, receipts: receipts.count)
        }
        let hash = block.hash
        var batch = WriteBatch()
        for node in stateNodes { batch.put(ChainDatabaseKey.stateNode(node.hash), node.bytes) }
        batch.put(ChainDatabaseKey.header(hash), block.header.encoded)
        batch.put(ChainDatabaseKey.body(hash), block.body.encoded)
        batch.put(ChainDatabaseKey.receipts(hash), Receipt.encodeList(receipts))
        batch.put(ChainDatabaseKey.blockNumber(hash), ChainDatabaseKey.bigEndian(block.number))
        batch.put(ChainDatabaseKey.canonicalHash(block.number), hash.bytes)
        for (index, transaction) in block.transactions.enumerated() {
            let location = TransactionLocation(blockHash: hash, blockNumber: block.number, index: UInt32(index))
            batch.put(ChainDatabaseKey.transactionLookup(transaction.hash), location.encoded)
        }
        // Last in the batch, though the batch is atomic anyway: the head moves with its block.
        batch.put(ChainDatabaseKey.head, hash.bytes)
        return batch
    }

    private func apply(_ batch: WriteBatch, newHead: BlockHeader) throws(ChainDatabaseError) {
        do {
            try store.writeBatch(batch)
        } catch {
            throw .storage(error)
        }
        lock.withLock { cachedHead = newHead }
    }

    // MARK: Reading

    /// The newest committed block's header (nil before `initialize`).
    public var head: BlockHeader? { lock.withLock { cachedHead } }

    public var genesisHash: Hash32? {
        get throws(ChainDatabaseError) {
            guard let bytes = try read(ChainDatabaseKey.genesis) else { return nil }
            return try hash(bytes, record: "genesis pointer")
        }
    }

    /// The genesis document stored by `initialize`, parsed.
    public func storedGenesis() throws(ChainDatabaseError) -> Genesis? {
        guard let bytes = try read(ChainDatabaseKey.genesisDocument) else { return nil }
        do {
            return try Genesis(json: bytes)
        } catch {
            throw .corrupt(record: "genesis document", reason: error.description)
        }
    }

    public func header(hash: Hash32) throws(ChainDatabaseError) -> BlockHeader? {
        if let recent = recent(hash) { return recent.block.header }
        guard let bytes = try read(ChainDatabaseKey.header(hash)) else { return nil }
        do {
            return try BlockHeader(encoded: bytes)
        } catch {
            throw .corrupt(record: "header \(hash)", reason: error.description)
        }
    }

    /// The canonical block hash at `number`.
    public func canonicalHash(number: UInt64) throws(ChainDatabaseError) -> Hash32? {
        guard let head, number <= head.number else { return nil }  // see `transactionLocation`
        guard let bytes = try read(ChainDatabaseKey.canonicalHash(number)) else { return nil }
        return try hash(bytes, record: "canonical hash \(number)")
    }

    /// The number of the block with `hash`, if it is stored.
    public func blockNumber(hash: Hash32) throws(ChainDatabaseError) -> UInt64? {
        guard let bytes = try read(ChainDatabaseKey.blockNumber(hash)) else { return nil }
        guard bytes.count == 8 else { throw .corrupt(record: "number of \(hash)", reason: "\(bytes.count) bytes") }
        return ChainDatabaseKey.uint64(bigEndian: bytes[...])
    }

    public func header(number: UInt64) throws(ChainDatabaseError) -> BlockHeader? {
        guard let hash = try canonicalHash(number: number) else { return nil }
        return try header(hash: hash)
    }

    public func body(hash: Hash32) throws(ChainDatabaseError) -> BlockBody? {
        if let recent = recent(hash) { return recent.block.body }
        guard let bytes = try read(ChainDatabaseKey.body(hash)) else { return nil }
        do {
            return try BlockBody(encoded: bytes)
        } catch {
            throw .corrupt(record: "body \(hash)", reason: error.description)
        }
    }

    public func block(hash: Hash32) throws(ChainDatabaseError) -> Block? {
        if let recent = recent(hash) { return recent.block }
        guard let header = try header(hash: hash) else { return nil }
        guard let body = try body(hash: hash) else { throw .corrupt(record: "block \(hash)", reason: "header without body") }
        return Block(header: header, body: body)
    }

    public func block(number: UInt64) throws(ChainDatabaseError) -> Block? {
        guard let hash = try canonicalHash(number: number) else { return nil }
        return try block(hash: hash)
    }

    public func receipts(blockHash: Hash32) throws(ChainDatabaseError) -> [Receipt]? {
        if let recent = recent(blockHash) { return recent.receipts }
        guard let bytes = try read(ChainDatabaseKey.receipts(blockHash)) else { return nil }
        do {
            return try Receipt.decodeList(bytes)
        } catch {
            throw .corrupt(record: "receipts \(blockHash)", reason: error.description)
        }
    }

    public func transactionLocation(hash: Hash32) throws(ChainDatabaseError) -> TransactionLocation? {
        guard let bytes = try read(ChainDatabaseKey.transactionLookup(hash)) else { return nil }
        guard let location = TransactionLocation(encoded: bytes) else {
            throw .corrupt(record: "lookup of transaction \(hash)", reason: "\(bytes.count) bytes")
        }
        // A commit writes its batch before the head moves; until then the block does not exist
        // for readers, so nobody sees a receipt ahead of `eth_blockNumber` and "latest" state.
        guard let head, location.blockNumber <= head.number else { return nil }
        return location
    }

    /// A mined transaction and where it is.
    public func transaction(hash: Hash32) throws(ChainDatabaseError) -> (Transaction, TransactionLocation)? {
        guard let location = try transactionLocation(hash: hash) else { return nil }
        guard let body = try body(hash: location.blockHash), Int(location.index) < body.transactions.count else {
            throw .corrupt(record: "lookup of transaction \(hash)", reason: "points past its block")
        }
        return (body.transactions[Int(location.index)], location)
    }

    /// The receipt of a mined transaction and where the transaction is.
    public func receipt(transactionHash hash: Hash32) throws(ChainDatabaseError) -> (Receipt, TransactionLocation)? {
        guard let location = try transactionLocation(hash: hash) else { return nil }
        guard let receipts = try receipts(blockHash: location.blockHash), Int(location.index) < receipts.count else {
            throw .corrupt(record: "receipt of transaction \(hash)", reason: "missing from its block")
        }
        return (receipts[Int(location.index)], location)
    }

    /// A state trie node or code blob by the Keccak-256 of its bytes.
    public func stateNode(hash: Hash32) throws(ChainDatabaseError) -> [UInt8]? {
        try read(ChainDatabaseKey.stateNode(hash))
    }

    // MARK: Helpers

    private func read(_ key: [UInt8]) throws(ChainDatabaseError) -> [UInt8]? {
        do {
            return try store.get(key)
        } catch {
            throw .storage(error)
        }
    }

    private func hash(_ bytes: [UInt8], record: String) throws(ChainDatabaseError) -> Hash32 {
        guard let hash = try? Hash32(bytes: bytes) else { throw .corrupt(record: record, reason: "\(bytes.count) bytes") }
        return hash
    }

    private func readHead() throws(ChainDatabaseError) -> BlockHeader? {
        guard let bytes = try read(ChainDatabaseKey.head) else { return nil }
        let headHash = try hash(bytes, record: "head pointer")
        guard let header = try header(hash: headHash) else {
            throw .corrupt(record: "head pointer", reason: "names block \(headHash), which is not stored")
        }
        return header
    }
}
