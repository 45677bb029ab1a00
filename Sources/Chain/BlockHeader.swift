import LedgerCrypto
import Primitives
import RLP

/// An Ethereum block header with the fields Cancun has. Optional fields belong to later forks:
/// `baseFeePerGas` (London, EIP-1559), `withdrawalsRoot` (Shanghai, EIP-4895), `blobGasUsed`
/// and `excessBlobGas` (EIP-4844) and `parentBeaconBlockRoot` (EIP-4788) (Cancun).
/// MLedger's own headers carry all of them, with difficulty 0 and base fee 0.
public struct BlockHeader: Hashable, Sendable {
    public var parentHash: Hash32
    /// Keccak-256 of the RLP list of ommer headers; after the merge always `emptyOmmersHash`.
    public var ommersHash: Hash32
    /// Receives priority fees (the "miner" or "beneficiary").
    public var coinbase: Address
    public var stateRoot: Hash32
    public var transactionsRoot: Hash32
    public var receiptsRoot: Hash32
    public var logsBloom: Bloom
    public var difficulty: UInt256
    public var number: UInt64
    public var gasLimit: UInt64
    public var gasUsed: UInt64
    public var timestamp: UInt64
    /// Free bytes; MLedger keeps the Clique layout: 32 vanity bytes, then a 65-byte seal.
    public var extraData: [UInt8]
    public var mixHash: Hash32
    /// The 8-byte proof-of-work nonce, big-endian; zero after the merge.
    public var nonce: UInt64
    public var baseFeePerGas: UInt256?
    public var withdrawalsRoot: Hash32?
    public var blobGasUsed: UInt64?
    public var excessBlobGas: UInt64?
    public var parentBeaconBlockRoot: Hash32?

    public init(parentHash: Hash32, ommersHash: Hash32 = BlockHeader.emptyOmmersHash, coinbase: Address,
                stateRoot: Hash32, transactionsRoot: Hash32 = BlockHeader.emptyTrieRoot,
                receiptsRoot: Hash32 = BlockHeader.emptyTrieRoot, logsBloom: Bloom = Bloom(),
                difficulty: UInt256 = .zero, number: UInt64, gasLimit: UInt64, gasUsed: UInt64 = 0,
                timestamp: UInt64, extraData: [UInt8] = [], mixHash: Hash32 = .zero, nonce: UInt64 = 0,
                baseFeePerGas: UInt256? = nil, withdrawalsRoot: Hash32? = nil, blobGasUsed: UInt64? = nil,
                excessBlobGas: UInt64? = nil, parentBeaconBlockRoot: Hash32? = nil) {
        self.parentHash = parentHash; self.ommersHash = ommersHash; self.coinbase = coinbase
        self.stateRoot = stateRoot; self.transactionsRoot = transactionsRoot; self.receiptsRoot = receiptsRoot
        self.logsBloom = logsBloom; self.difficulty = difficulty; self.number = number
        self.gasLimit = gasLimit; self.gasUsed = gasUsed; self.timestamp = timestamp
        self.extraData = extraData; self.mixHash = mixHash; self.nonce = nonce
        self.baseFeePerGas = baseFeePerGas; self.withdrawalsRoot = withdrawalsRoot
        self.blobGasUsed = blobGasUsed; self.excessBlobGas = excessBlobGas
        self.parentBeaconBlockRoot = parentBeaconBlockRoot
    }

    /// Root of an empty Merkle Patricia trie: Keccak-256 of RLP("") (no transactions,
    /// receipts or withdrawals).
    public static let emptyTrieRoot = Keccak256.hash([0x80])
    /// Keccak-256 of the empty RLP list: the ommers hash of a block without ommers.
    public static let emptyOmmersHash = Keccak256.hash([0xc0])

    /// The block hash: Keccak-256 of the header's RLP encoding.
    public var hash: Hash32 { Keccak256.hash(encoded) }

    /// The consensus RLP encoding. Optional fields are written up to the last one present;
    /// one missing before it is written as its zero value, so the field positions stay right.
    public var encoded: [UInt8] { RLP.encode(list: encodedFields) }

    /// The RLP-encoded fields in consensus order (the sealer drops the seal from `extraData`
    /// and encodes these again).
    var encodedFields: [[UInt8]] {
        var fields: [[UInt8]] = [
            RLP.encode(bytes: parentHash.bytes), RLP.encode(bytes: ommersHash.bytes),
            RLP.encode(bytes: coinbase.bytes), RLP.encode(bytes: stateRoot.bytes),
            RLP.encode(bytes: transactionsRoot.bytes), RLP.encode(bytes: receiptsRoot.bytes),
            RLP.encode(bytes: logsBloom.bytes), RLP.encode(uint: difficulty), RLP.encode(uint: number),
            RLP.encode(uint: gasLimit), RLP.encode(uint: gasUsed), RLP.encode(uint: timestamp),
            RLP.encode(bytes: extraData), RLP.encode(bytes: mixHash.bytes), RLP.encode(bytes: Self.nonceBytes(nonce)),
        ]
        let optional: [[UInt8]?] = [
            baseFeePerGas.map { RLP.encode(uint: $0) },
            withdrawalsRoot.map { RLP.encode(bytes: $0.bytes) },
            blobGasUsed.map { RLP.encode(uint: $0) },
            excessBlobGas.map { RLP.encode(uint: $0) },
            parentBeaconBlockRoot.map { RLP.encode(bytes: $0.bytes) },
        ]
        let zeroValues: [[UInt8]] = [RLP.encode(uint: UInt64(0)), RLP.encode(bytes: Hash32.zero.bytes),
                                     RLP.encode(uint: UInt64(0)), RLP.encode(uint: UInt64(0)),
                                     RLP.encode(bytes: Hash32.zero.bytes)]
        if let last = optional.lastIndex(where: { $0 != nil }) {
            for i in 0...last { fields.append(optional[i] ?? zeroValues[i]) }
        }
        return fields
    }

    static func nonceBytes(_ nonce: UInt64) -> [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: nonce >> (56 - 8 * UInt64($0))) }
    }
}
