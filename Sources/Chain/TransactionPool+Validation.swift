import Primitives

extension TransactionPool {
    /// Checks that need no account state, in the order other Ethereum pools apply them, and
    /// recovers the sender. Runs outside the pool's lock (signature recovery is the slow part).
    static func validateStateless(_ tx: Transaction, hash: Hash32, encodedSize: Int,
                                  config: TransactionPoolConfig) throws(TransactionPoolError) -> Address {
        if tx.type == .blob { throw .transactionTypeNotSupported }
        guard encodedSize <= config.maxTransactionSize else {
            throw .oversizedData(size: encodedSize, limit: config.maxTransactionSize)
        }
        // EIP-155: protected signatures name their chain; unprotected legacy ones fit any chain.
        if let chainId = tx.chainId, chainId != config.chainId {
            throw .invalidChainId(expected: config.chainId, got: chainId)
        }
        do {
            try tx.validate(chainId: config.chainId, rules: config.rules)
        } catch {
            throw map(error)
        }
        guard tx.gasLimit <= config.blockGasLimit else {
            throw .exceedsBlockGasLimit(gasLimit: tx.gasLimit, blockGasLimit: config.blockGasLimit)
        }
        do {
            return try tx.cachedSender(hash: hash)
        } catch {
            throw .invalidSender
        }
    }

    /// The pool's error for a failed stateless transaction check.
    static func map(_ error: TransactionError) -> TransactionPoolError {
        switch error {
        case let .chainIdMismatch(expected, got): return .invalidChainId(expected: expected, got: got)
        case .nonceAtMaximum: return .nonceMax
        case let .intrinsicGasTooLow(required, gasLimit): return .intrinsicGasTooLow(required: required, gasLimit: gasLimit)
        // gasLimit * maxFee beyond 2^256 is more than any balance can pay.
        case .feeTimesGasOverflow: return .insufficientFunds
        case .priorityFeeAboveMaxFee: return .tipAboveFeeCap
        case let .initCodeTooLarge(size, limit): return .maxInitCodeSizeExceeded(size: size, limit: limit)
        case .noBlobs, .tooManyBlobs, .invalidBlobVersion: return .transactionTypeNotSupported
        case .invalidLegacyV, .invalidYParity, .invalidSignatureR, .invalidSignatureS, .highSignatureS,
             .recoveryFailed, .invalidPrivateKey:
            return .invalidSender
        default: return .invalidEncoding(error.description)
        }
    }

    /// The most a transaction can cost its sender: gasLimit * maxFeePerGas + value (EIP-1559
    /// charges at most the fee cap). nil when it does not fit in 256 bits.
    static func upfrontCost(_ tx: Transaction) -> UInt256? {
        let fee = tx.maxFeePerGas.multipliedReportingOverflow(by: UInt256(tx.gasLimit))
        guard !fee.overflow else { return nil }
        let total = fee.partialValue.addingReportingOverflow(tx.value)
        return total.overflow ? nil : total.partialValue
    }
}
