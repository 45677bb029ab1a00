import Primitives

/// Why a transaction cannot be included at all (state stays untouched). Names follow the
/// categories used by the Ethereum test suites.
public enum TransactionError: Error, Equatable, Sendable, CustomStringConvertible {
    case intrinsicGasTooLow(intrinsic: UInt64, limit: UInt64)
    case insufficientAccountFunds
    case nonceMismatch(expected: UInt64, got: UInt64)
    case nonceIsMax
    case senderNotEOA
    case insufficientMaxFeePerGas
    case priorityGreaterThanMaxFeePerGas
    case gasAllowanceExceeded
    case initcodeSizeExceeded
    case type3PreFork
    case type3ContractCreation
    case type3ZeroBlobs
    case type3InvalidBlobVersionedHash
    case type3BlobCountExceeded
    case insufficientMaxFeePerBlobGas
    case typeNotSupported(UInt8)

    /// The test-suite category name (e.g. "INTRINSIC_GAS_TOO_LOW").
    public var category: String {
        switch self {
        case .intrinsicGasTooLow: return "INTRINSIC_GAS_TOO_LOW"
        case .insufficientAccountFunds: return "INSUFFICIENT_ACCOUNT_FUNDS"
        case .nonceMismatch: return "NONCE_MISMATCH"
        case .nonceIsMax: return "NONCE_IS_MAX"
        case .senderNotEOA: return "SENDER_NOT_EOA"
        case .insufficientMaxFeePerGas: return "INSUFFICIENT_MAX_FEE_PER_GAS"
        case .priorityGreaterThanMaxFeePerGas: return "PRIORITY_GREATER_THAN_MAX_FEE_PER_GAS"
        case .gasAllowanceExceeded: return "GAS_ALLOWANCE_EXCEEDED"
        case .initcodeSizeExceeded: return "INITCODE_SIZE_EXCEEDED"
        case .type3PreFork: return "TYPE_3_TX_PRE_FORK"
        case .type3ContractCreation: return "TYPE_3_TX_CONTRACT_CREATION"
        case .type3ZeroBlobs: return "TYPE_3_TX_ZERO_BLOBS"
        case .type3InvalidBlobVersionedHash: return "TYPE_3_TX_INVALID_BLOB_VERSIONED_HASH"
        case .type3BlobCountExceeded: return "TYPE_3_TX_BLOB_COUNT_EXCEEDED"
        case .insufficientMaxFeePerBlobGas: return "INSUFFICIENT_MAX_FEE_PER_BLOB_GAS"
        case .typeNotSupported: return "TYPE_NOT_SUPPORTED"
        }
    }

    public var description: String {
        switch self {
        case let .intrinsicGasTooLow(i, l): return "\(category) (intrinsic \(i) > limit \(l))"
        case let .nonceMismatch(e, g): return "\(category) (account nonce \(e), transaction nonce \(g))"
        case let .typeNotSupported(t): return "\(category) (type \(t))"
        default: return category
        }
    }
}

/// The outcome of an included transaction.
public struct TransactionResult: Sendable {
    public var gasUsed: UInt64
    public var halt: Halt
    public var output: [UInt8]
    public var logs: [Log]
    public var createdAddress: Address?
    public var success: Bool { halt.isSuccess }
}

extension EVM {
    /// Intrinsic gas: 21000, calldata (EIP-2028), creation and initcode words (EIP-3860),
    /// access list entries (EIP-2930).
    public static func intrinsicGas(_ tx: TransactionEnvironment, rules: ForkRules) -> UInt64 {
        var g = UInt64(GasCost.txBase)
        for b in tx.data { g += UInt64(b == 0 ? GasCost.txDataZero : GasCost.txDataNonZero) }
        if tx.to == nil {
            g += UInt64(GasCost.txCreate)
            if rules.limitsInitcode { g += UInt64(GasCost.initcodeWord) * UInt64((tx.data.count + 31) / 32) }
        }
        for e in tx.accessList {
            g += UInt64(GasCost.accessListAddress) + UInt64(GasCost.accessListKey) * UInt64(e.storageKeys.count)
        }
        return g
    }

    /// Checks, charges, executes and settles one transaction (Yellow Paper section 6 with the
    /// London..Cancun amendments), then ends it on `state` (EIP-161 deletions, warm sets cleared).
    public func execute(transaction tx: TransactionEnvironment) throws(TransactionError) -> TransactionResult {
        // Validity checks, in the order of the specification.
        if tx.type == 3 && !rules.hasBlobs { throw .type3PreFork }
        if tx.type > 3 { throw .typeNotSupported(tx.type) }
        let intrinsic = EVM.intrinsicGas(tx, rules: rules)
        if intrinsic > tx.gasLimit { throw .intrinsicGasTooLow(intrinsic: intrinsic, limit: tx.gasLimit) }
        if rules.limitsInitcode && tx.to == nil && tx.data.count > ForkRules.maxInitcodeSize { throw .initcodeSizeExceeded }
        if tx.nonce == UInt64.max { throw .nonceIsMax }
        if tx.gasLimit > block.gasLimit { throw .gasAllowanceExceeded }

        let maxFee: UInt256, effectiveGasPrice: UInt256
        if tx.type >= 2 {
            if tx.maxFeePerGas < tx.maxPriorityFeePerGas { throw .priorityGreaterThanMaxFeePerGas }
            if tx.maxFeePerGas < block.baseFee { throw .insufficientMaxFeePerGas }
            let priority = min(tx.maxPriorityFeePerGas, tx.maxFeePerGas &- block.baseFee)
            effectiveGasPrice = block.baseFee &+ priority
            maxFee = tx.maxFeePerGas
        } else {
            if tx.gasPrice < block.baseFee { throw .insufficientMaxFeePerGas }
            effectiveGasPrice = tx.gasPrice
            maxFee = tx.gasPrice
        }
        var blobGas: UInt64 = 0
        if tx.type == 3 {
            if tx.to == nil { throw .type3ContractCreation }
            if tx.blobVersionedHashes.isEmpty { throw .type3ZeroBlobs }
            for h in tx.blobVersionedHashes where (h.l3 >> 56) != 0x01 { throw .type3InvalidBlobVersionedHash }  // EIP-4844 version byte
            blobGas = GasCost.blobGasPerBlob * UInt64(tx.blobVersionedHashes.count)
            if blobGas > GasCost.maxBlobGasPerBlock { throw .type3BlobCountExceeded }
            if tx.maxFeePerBlobGas < blobBaseFee { throw .insufficientMaxFeePerBlobGas }
        }
        let senderNonce = state.nonce(tx.sender)
        if senderNonce != tx.nonce { throw .nonceMismatch(expected: senderNonce, got: tx.nonce) }
        // Worst-case up-front cost must be covered, computed without overflow.
        guard let gasCost = EVM.product(UInt256(tx.gasLimit), maxFee),
              let blobCost = EVM.product(UInt256(blobGas), tx.maxFeePerBlobGas) else { throw .insufficientAccountFunds }
        let (c1, o1) = gasCost.addingReportingOverflow(blobCost)
        let (total, o2) = c1.addingReportingOverflow(tx.value)
        if o1 || o2 || state.balance(tx.sender) < total { throw .insufficientAccountFunds }
        if rejectsSenderWithCode && !state.code(tx.sender).isEmpty { throw .senderNotEOA }  // EIP-3607

        // Buy gas (and blob gas, burned), bump the nonce.
        let blobFee = UInt256(blobGas) &* blobBaseFee
        state.subBalance(tx.sender, (UInt256(tx.gasLimit) &* effectiveGasPrice) &+ blobFee)
        state.incrementNonce(tx.sender)
        origin = tx.sender
        gasPrice = effectiveGasPrice
        blobHashes = tx.blobVersionedHashes

        // Pre-warm (EIP-2929, EIP-2930, EIP-3651).
        _ = state.warmAccount(tx.sender)
        for p in 1...precompileCount { _ = state.warmAccount(Address(hi: 0, mid: 0, lo: p)) }
        if rules.warmCoinbase { _ = state.warmAccount(block.coinbase) }
        for e in tx.accessList {
            _ = state.warmAccount(e.address)
            for k in e.storageKeys { _ = state.warmSlot(e.address, k) }
        }

        tracer?.transactionWillStart(tx)
        let gas = Int64(tx.gasLimit - intrinsic)
        var result: FrameResult
        var created: Address?
        if let to = tx.to {
            _ = state.warmAccount(to)
            result = call(Message(caller: tx.sender, target: to, codeAddress: to, value: tx.value, input: tx.data,
                                  gas: gas, isStatic: false, depth: 0, transfersValue: true))
        } else {
            let address = EVM.createAddress(tx.sender, nonce: tx.nonce)
            _ = state.warmAccount(address)
            let msg = Message(caller: tx.sender, target: address, codeAddress: address, value: tx.value,
                              input: [], gas: gas, isStatic: false, depth: 0, transfersValue: true, kind: .create)
            if state.hasCodeNonceOrStorage(address) {
                traceRefusedFrame(msg, input: tx.data, error: .halted(.addressCollision), gasUsed: gas)
                result = FrameResult(halt: .addressCollision, gasLeft: 0, output: [])
            } else {
                result = create(msg, initcode: tx.data)
                if result.halt.isSuccess { created = address }
            }
        }

        // Refund (EIP-3529: at most a fifth of the gas used), pay the sender back and the coinbase.
        var gasLeft = UInt64(max(0, result.gasLeft))
        let used = tx.gasLimit - gasLeft
        let refund = min(used / 5, UInt64(max(0, state.refund)))
        gasLeft += refund
        let gasUsed = tx.gasLimit - gasLeft
        state.addBalance(tx.sender, UInt256(gasLeft) &* effectiveGasPrice)
        let fee = UInt256(gasUsed) &* (effectiveGasPrice &- block.baseFee)
        if !fee.isZero {
            state.addBalance(block.coinbase, fee)
        } else if state.exists(block.coinbase) && !state.isAlive(block.coinbase) {
            state.touch(block.coinbase)
        }
        let logs = state.logs
        state.finalizeTransaction()
        let outcome = TransactionResult(gasUsed: gasUsed, halt: result.halt, output: result.output, logs: logs,
                                        createdAddress: created)
        tracer?.transactionDidEnd(outcome)
        return outcome
    }

    /// a * b, or nil on overflow past 256 bits.
    static func product(_ a: UInt256, _ b: UInt256) -> UInt256? {
        let (high, low) = a.multipliedFullWidth(by: b)
        return high.isZero ? low : nil
    }
}
