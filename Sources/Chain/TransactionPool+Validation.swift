import Primitives

extension TransactionPool {
    /// Checks that need no account state, in the order other Ethereum pools apply them, and
    /// recovers the sender. Runs outside the pool's lock (signature recovery is the slow part).
    static func validateStateless(_ tx: Transaction, encodedSize: Int,
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
            return try tx.sender()
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
        guard let fee = multiply(tx.maxFeePerGas, by: tx.gasLimit) else { return nil }
        return add(fee, tx.value)
    }

    static func multiply(_ a: UInt256, by b: UInt64) -> UInt256? {
        var result: [UInt64] = []
        var carry: UInt64 = 0
        for limb in [a.l0, a.l1, a.l2, a.l3] {
            let (high, low) = limb.multipliedFullWidth(by: b)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            result.append(sum)
            carry = high &+ (overflow ? 1 : 0)  // high <= b - 1, so this cannot wrap
        }
        guard carry == 0 else { return nil }
        return UInt256(l0: result[0], l1: result[1], l2: result[2], l3: result[3])
    }

    static func add(_ a: UInt256, _ b: UInt256) -> UInt256? {
        var result: [UInt64] = []
        var carry = false
        for (x, y) in zip([a.l0, a.l1, a.l2, a.l3], [b.l0, b.l1, b.l2, b.l3]) {
            let (s1, o1) = x.addingReportingOverflow(y)
            let (s2, o2) = s1.addingReportingOverflow(carry ? 1 : 0)
            result.append(s2)
            carry = o1 || o2
        }
        guard !carry else { return nil }
        return UInt256(l0: result[0], l1: result[1], l2: result[2], l3: result[3])
    }
}
