import Primitives

/// Stateless limits a fork puts on transactions.
public struct TransactionRules: Sendable, Equatable {
    /// EIP-3860: twice the EIP-170 code size limit.
    public var maxInitCodeSize: Int
    /// EIP-4844: MAX_BLOB_GAS_PER_BLOCK / GAS_PER_BLOB.
    public var maxBlobsPerTransaction: Int

    public init(maxInitCodeSize: Int, maxBlobsPerTransaction: Int) {
        self.maxInitCodeSize = maxInitCodeSize
        self.maxBlobsPerTransaction = maxBlobsPerTransaction
    }

    public static let cancun = TransactionRules(maxInitCodeSize: 49_152, maxBlobsPerTransaction: 6)
}

/// Gas charged before any code runs (Cancun schedule).
public enum IntrinsicGas {
    public static let base: UInt64 = 21_000
    /// Extra for contract creation (EIP-2, Homestead).
    public static let create: UInt64 = 32_000
    public static let zeroDataByte: UInt64 = 4
    /// EIP-2028 lowered non-zero calldata from 68 to 16.
    public static let nonZeroDataByte: UInt64 = 16
    /// EIP-2930 access-list prices.
    public static let accessListAddress: UInt64 = 2_400
    public static let accessListStorageKey: UInt64 = 1_900
    /// EIP-3860: per 32-byte word of init code.
    public static let initCodeWord: UInt64 = 2
    /// EIP-4844: blob gas per blob (charged as blob gas, not in the intrinsic gas).
    public static let gasPerBlob: UInt64 = 131_072
    /// EIP-4844: versioned hash version for KZG commitments.
    public static let kzgVersionByte: UInt8 = 0x01

    /// The intrinsic gas of a transaction with this calldata, kind and access list. Saturates
    /// at `UInt64.max` instead of overflowing (no such transaction fits any gas limit).
    public static func of(data: [UInt8], isCreate: Bool, accessList: [AccessListEntry]) -> UInt64 {
        var total = Saturating(base)
        var zeros: UInt64 = 0
        for byte in data where byte == 0 { zeros += 1 }
        let nonZeros = UInt64(data.count) - zeros
        total.add(zeros, times: zeroDataByte)
        total.add(nonZeros, times: nonZeroDataByte)
        if isCreate {
            total.add(create, times: 1)
            total.add((UInt64(data.count) + 31) / 32, times: initCodeWord)
        }
        for entry in accessList {
            total.add(1, times: accessListAddress)
            total.add(UInt64(entry.storageKeys.count), times: accessListStorageKey)
        }
        return total.value
    }

    private struct Saturating {
        var value: UInt64
        init(_ value: UInt64) { self.value = value }
        mutating func add(_ count: UInt64, times price: UInt64) {
            let (product, overflowMul) = count.multipliedReportingOverflow(by: price)
            let (sum, overflowAdd) = value.addingReportingOverflow(product)
            value = overflowMul || overflowAdd ? .max : sum
        }
    }
}

extension Transaction {
    /// The gas this transaction pays before execution (see `IntrinsicGas`).
    public var intrinsicGas: UInt64 {
        IntrinsicGas.of(data: data, isCreate: isCreate, accessList: accessList)
    }

    /// All checks that need no account state: signature values, chain id, then the fork's
    /// rules on nonce, fees, init code, intrinsic gas and blobs. Call `sender()` for recovery.
    public func validate(chainId expected: UInt64, rules: TransactionRules = .cancun) throws(TransactionError) {
        try validateSignatureValues()
        // EIP-155 leaves unprotected legacy signatures valid on every chain.
        if let chainId, chainId != expected { throw .chainIdMismatch(expected: expected, got: chainId) }
        if nonce == .max { throw .nonceAtMaximum }
        guard Self.productFits(maxFeePerGas, gasLimit) else { throw .feeTimesGasOverflow }
        guard maxPriorityFeePerGas <= maxFeePerGas else { throw .priorityFeeAboveMaxFee }
        if isCreate, data.count > rules.maxInitCodeSize {
            throw .initCodeTooLarge(size: data.count, limit: rules.maxInitCodeSize)
        }
        let required = intrinsicGas
        guard gasLimit >= required else { throw .intrinsicGasTooLow(required: required, gasLimit: gasLimit) }
        if case .blob(let t) = payload { try Self.validateBlobs(t, rules: rules) }
    }

    private static func validateBlobs(_ t: BlobTransaction, rules: TransactionRules) throws(TransactionError) {
        guard !t.blobVersionedHashes.isEmpty else { throw .noBlobs }
        guard t.blobVersionedHashes.count <= rules.maxBlobsPerTransaction else {
            throw .tooManyBlobs(count: t.blobVersionedHashes.count, limit: rules.maxBlobsPerTransaction)
        }
        for (index, hash) in t.blobVersionedHashes.enumerated() where hash.bytes[0] != IntrinsicGas.kzgVersionByte {
            throw .invalidBlobVersion(index: index)
        }
        let blobGas = UInt64(t.blobVersionedHashes.count) * IntrinsicGas.gasPerBlob
        guard productFits(t.maxFeePerBlobGas, blobGas) else { throw .feeTimesGasOverflow }
    }

    /// Whether `a * b` fits in 256 bits (schoolbook product, limb by limb).
    static func productFits(_ a: UInt256, _ b: UInt64) -> Bool {
        var carry: UInt64 = 0
        for limb in [a.l0, a.l1, a.l2, a.l3] {
            let (high, low) = limb.multipliedFullWidth(by: b)
            let (_, overflow) = low.addingReportingOverflow(carry)
            carry = high + (overflow ? 1 : 0)  // high <= b - 1, so no overflow here
        }
        return carry == 0
    }
}
