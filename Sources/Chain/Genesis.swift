import LedgerCrypto
import Primitives

/// One pre-funded account of a genesis `alloc`.
public struct GenesisAccount: Equatable, Sendable {
    public var balance: UInt256
    public var nonce: UInt64
    public var code: [UInt8]
    /// Storage slots; values are 32-byte words (zero values are simply absent from state).
    public var storage: [Hash32: Hash32]

    public init(balance: UInt256, nonce: UInt64 = 0, code: [UInt8] = [], storage: [Hash32: Hash32] = [:]) {
        self.balance = balance; self.nonce = nonce; self.code = code; self.storage = storage
    }
}

/// A chain's first block and initial state, read from a genesis document in the format that
/// Ethereum tools share (`config`, `alloc`, `gasLimit`, `extraData`, ...).
public struct Genesis: Equatable, Sendable {
    public var config: ChainConfig
    public var nonce: UInt64
    public var timestamp: UInt64
    public var extraData: [UInt8]
    public var gasLimit: UInt64
    public var difficulty: UInt256
    public var mixHash: Hash32
    public var coinbase: Address
    public var alloc: [Address: GenesisAccount]
    public var number: UInt64
    public var gasUsed: UInt64
    public var parentHash: Hash32
    public var baseFeePerGas: UInt256?
    public var excessBlobGas: UInt64?
    public var blobGasUsed: UInt64?

    public init(config: ChainConfig, nonce: UInt64 = 0, timestamp: UInt64 = 0, extraData: [UInt8] = [],
                gasLimit: UInt64, difficulty: UInt256 = .zero, mixHash: Hash32 = .zero,
                coinbase: Address = .zero, alloc: [Address: GenesisAccount] = [:], number: UInt64 = 0,
                gasUsed: UInt64 = 0, parentHash: Hash32 = .zero, baseFeePerGas: UInt256? = nil,
                excessBlobGas: UInt64? = nil, blobGasUsed: UInt64? = nil) {
        self.config = config; self.nonce = nonce; self.timestamp = timestamp; self.extraData = extraData
        self.gasLimit = gasLimit; self.difficulty = difficulty; self.mixHash = mixHash; self.coinbase = coinbase
        self.alloc = alloc; self.number = number; self.gasUsed = gasUsed; self.parentHash = parentHash
        self.baseFeePerGas = baseFeePerGas; self.excessBlobGas = excessBlobGas; self.blobGasUsed = blobGasUsed
    }

    /// The base fee a London genesis gets when the document names none (EIP-1559's initial value).
    public static let defaultInitialBaseFee: UInt256 = 1_000_000_000

    /// The genesis block header over a state root computed from `alloc` elsewhere (the state
    /// trie lives with the execution layer). Fork-dependent fields follow `config`: a base fee
    /// from London on, an empty withdrawals root from Shanghai, zero blob gas and a zero parent
    /// beacon root from Cancun (EIP-4844, EIP-4788).
    public func header(stateRoot: Hash32) -> BlockHeader {
        var header = BlockHeader(
            parentHash: parentHash, ommersHash: BlockHeader.emptyOmmersHash, coinbase: coinbase,
            stateRoot: stateRoot, transactionsRoot: BlockHeader.emptyTrieRoot,
            receiptsRoot: BlockHeader.emptyTrieRoot, logsBloom: Bloom(), difficulty: difficulty,
            number: number, gasLimit: gasLimit, gasUsed: gasUsed, timestamp: timestamp,
            extraData: extraData, mixHash: mixHash, nonce: nonce)
        if config.isLondon(atBlock: number) {
            header.baseFeePerGas = baseFeePerGas ?? Self.defaultInitialBaseFee
        }
        if config.isShanghai(atBlock: number, time: timestamp) {
            header.withdrawalsRoot = BlockHeader.emptyTrieRoot
        }
        if config.isCancun(atBlock: number, time: timestamp) {
            header.blobGasUsed = blobGasUsed ?? 0
            header.excessBlobGas = excessBlobGas ?? 0
            header.parentBeaconBlockRoot = .zero
        }
        return header
    }

    /// The signer addresses in a Clique-layout extraData: 32 vanity bytes, then 20 bytes per
    /// signer, then 65 bytes reserved for a seal.
    public var cliqueSigners: [Address] {
        get throws(GenesisError) {
            let fixed = Sealer.vanityLength + Sealer.sealLength
            guard extraData.count >= fixed, (extraData.count - fixed) % 20 == 0 else {
                throw .invalidCliqueExtraData(length: extraData.count)
            }
            let signerBytes = extraData[Sealer.vanityLength..<(extraData.count - Sealer.sealLength)]
            return stride(from: signerBytes.startIndex, to: signerBytes.endIndex, by: 20).map { start in
                // Exactly 20 bytes by the length check above.
                (try? Address(bytes: signerBytes[start..<start + 20])) ?? .zero
            }
        }
    }

    /// The single sealer of an MLedger chain: the one signer its genesis extraData names.
    public var sealer: Address {
        get throws(GenesisError) {
            let signers = try cliqueSigners
            guard signers.count == 1 else {
                if signers.isEmpty { throw .noSealerInExtraData }
                throw .invalidValue(field: "extraData", reason: "names \(signers.count) signers; MLedger has one sealer")
            }
            return signers[0]
        }
    }
}
