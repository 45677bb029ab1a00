import Primitives

/// EIP-2718 transaction types known to the Cancun rules.
public enum TransactionType: UInt8, Sendable, CaseIterable {
    /// Untyped RLP list; EIP-155 puts the chain id into `v`.
    case legacy = 0
    /// EIP-2930: chain id and access list.
    case accessList = 1
    /// EIP-1559: priority fee and fee cap instead of a gas price.
    case dynamicFee = 2
    /// EIP-4844: blob versioned hashes and a blob fee cap (network wrapper not included).
    case blob = 3
}

/// Fields of a legacy transaction (before EIP-2718).
public struct LegacyTransaction: Hashable, Sendable {
    /// nil: an unprotected pre-EIP-155 signature (`v` 27/28); otherwise folded into `v` (EIP-155).
    public var chainId: UInt64?
    public var nonce: UInt64
    public var gasPrice: UInt256
    public var gasLimit: UInt64
    /// nil creates a contract.
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]

    public init(chainId: UInt64?, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?,
                value: UInt256, data: [UInt8] = []) {
        self.chainId = chainId; self.nonce = nonce; self.gasPrice = gasPrice; self.gasLimit = gasLimit
        self.to = to; self.value = value; self.data = data
    }
}

/// Fields of an EIP-2930 (type 1) transaction.
public struct AccessListTransaction: Hashable, Sendable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var gasPrice: UInt256
    public var gasLimit: UInt64
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    public init(chainId: UInt64, nonce: UInt64, gasPrice: UInt256, gasLimit: UInt64, to: Address?,
                value: UInt256, data: [UInt8] = [], accessList: [AccessListEntry] = []) {
        self.chainId = chainId; self.nonce = nonce; self.gasPrice = gasPrice; self.gasLimit = gasLimit
        self.to = to; self.value = value; self.data = data; self.accessList = accessList
    }
}

/// Fields of an EIP-1559 (type 2) transaction.
public struct DynamicFeeTransaction: Hashable, Sendable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    public var to: Address?
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]

    public init(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256,
                gasLimit: UInt64, to: Address?, value: UInt256, data: [UInt8] = [],
                accessList: [AccessListEntry] = []) {
        self.chainId = chainId; self.nonce = nonce; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas; self.gasLimit = gasLimit; self.to = to; self.value = value
        self.data = data; self.accessList = accessList
    }
}

/// Fields of an EIP-4844 (type 3) transaction in its canonical form (no blobs, commitments
/// or proofs: those travel only in the network wrapper).
public struct BlobTransaction: Hashable, Sendable {
    public var chainId: UInt64
    public var nonce: UInt64
    public var maxPriorityFeePerGas: UInt256
    public var maxFeePerGas: UInt256
    public var gasLimit: UInt64
    /// Blob transactions cannot create contracts.
    public var to: Address
    public var value: UInt256
    public var data: [UInt8]
    public var accessList: [AccessListEntry]
    public var maxFeePerBlobGas: UInt256
    public var blobVersionedHashes: [Hash32]

    public init(chainId: UInt64, nonce: UInt64, maxPriorityFeePerGas: UInt256, maxFeePerGas: UInt256,
                gasLimit: UInt64, to: Address, value: UInt256, data: [UInt8] = [],
                accessList: [AccessListEntry] = [], maxFeePerBlobGas: UInt256, blobVersionedHashes: [Hash32]) {
        self.chainId = chainId; self.nonce = nonce; self.maxPriorityFeePerGas = maxPriorityFeePerGas
        self.maxFeePerGas = maxFeePerGas; self.gasLimit = gasLimit; self.to = to; self.value = value
        self.data = data; self.accessList = accessList; self.maxFeePerBlobGas = maxFeePerBlobGas
        self.blobVersionedHashes = blobVersionedHashes
    }
}

/// The type-specific body of a transaction.
public enum TransactionPayload: Hashable, Sendable {
    case legacy(LegacyTransaction)
    case accessList(AccessListTransaction)
    case dynamicFee(DynamicFeeTransaction)
    case blob(BlobTransaction)
}

/// The ECDSA signature shared by every type. Legacy `v` is derived from `yParity` and the
/// chain id; typed transactions store `yParity` directly.
public struct TransactionSignature: Hashable, Sendable {
    /// The recovery id: 0 or 1.
    public var yParity: UInt8
    public var r: UInt256
    public var s: UInt256

    public init(yParity: UInt8, r: UInt256, s: UInt256) { self.yParity = yParity; self.r = r; self.s = s }

    /// The placeholder of an unsigned transaction (r = s = 0 never validates).
    public static let unsigned = TransactionSignature(yParity: 0, r: .zero, s: .zero)
}

/// A signed (or to-be-signed) transaction of any type.
public struct Transaction: Hashable, Sendable {
    public var payload: TransactionPayload
    public var signature: TransactionSignature

    public init(_ payload: TransactionPayload, signature: TransactionSignature = .unsigned) {
        self.payload = payload
        self.signature = signature
    }

    public var type: TransactionType {
        switch payload {
        case .legacy: return .legacy
        case .accessList: return .accessList
        case .dynamicFee: return .dynamicFee
        case .blob: return .blob
        }
    }

    /// nil only for unprotected legacy transactions.
    public var chainId: UInt64? {
        switch payload {
        case .legacy(let t): return t.chainId
        case .accessList(let t): return t.chainId
        case .dynamicFee(let t): return t.chainId
        case .blob(let t): return t.chainId
        }
    }

    public var nonce: UInt64 {
        switch payload {
        case .legacy(let t): return t.nonce
        case .accessList(let t): return t.nonce
        case .dynamicFee(let t): return t.nonce
        case .blob(let t): return t.nonce
        }
    }

    public var gasLimit: UInt64 {
        switch payload {
        case .legacy(let t): return t.gasLimit
        case .accessList(let t): return t.gasLimit
        case .dynamicFee(let t): return t.gasLimit
        case .blob(let t): return t.gasLimit
        }
    }

    /// nil for contract creation.
    public var to: Address? {
        switch payload {
        case .legacy(let t): return t.to
        case .accessList(let t): return t.to
        case .dynamicFee(let t): return t.to
        case .blob(let t): return t.to
        }
    }

    public var isCreate: Bool { to == nil }

    public var value: UInt256 {
        switch payload {
        case .legacy(let t): return t.value
        case .accessList(let t): return t.value
        case .dynamicFee(let t): return t.value
        case .blob(let t): return t.value
        }
    }

    public var data: [UInt8] {
        switch payload {
        case .legacy(let t): return t.data
        case .accessList(let t): return t.data
        case .dynamicFee(let t): return t.data
        case .blob(let t): return t.data
        }
    }

    /// Empty for legacy transactions.
    public var accessList: [AccessListEntry] {
        switch payload {
        case .legacy: return []
        case .accessList(let t): return t.accessList
        case .dynamicFee(let t): return t.accessList
        case .blob(let t): return t.accessList
        }
    }

    /// The most the sender pays per gas: the gas price, or the EIP-1559 fee cap.
    public var maxFeePerGas: UInt256 {
        switch payload {
        case .legacy(let t): return t.gasPrice
        case .accessList(let t): return t.gasPrice
        case .dynamicFee(let t): return t.maxFeePerGas
        case .blob(let t): return t.maxFeePerGas
        }
    }

    /// The most the block producer receives per gas above the base fee.
    public var maxPriorityFeePerGas: UInt256 {
        switch payload {
        case .legacy(let t): return t.gasPrice
        case .accessList(let t): return t.gasPrice
        case .dynamicFee(let t): return t.maxPriorityFeePerGas
        case .blob(let t): return t.maxPriorityFeePerGas
        }
    }

    /// Empty unless this is a blob transaction.
    public var blobVersionedHashes: [Hash32] {
        if case .blob(let t) = payload { return t.blobVersionedHashes }
        return []
    }
}
