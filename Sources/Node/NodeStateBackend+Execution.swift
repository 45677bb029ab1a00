import Chain
import Contracts
import EVM
import Primitives
import RPC

/// `eth_call`, `eth_estimateGas` and the execution behind traces: a call request runs as a
/// transaction on the state of the chosen block, in a journal that is thrown away. As other
/// Ethereum nodes do for calls, the sender's nonce is taken from the state, fees default to
/// zero and the gas defaults to the block's gas limit.
extension NodeStateBackend {
    /// The state a request runs on: the block's header and its tries (with overrides).
    struct CallContext {
        var header: BlockHeader
        var trieState: TrieAccountState
        var backend: any EVMStateBackend
    }

    func callContext(_ request: CallRequest, at block: BlockSelector) throws -> CallContext {
        let header = try header(block)
        let trieState = TrieAccountState(database: database, root: header.stateRoot)
        let backend: any EVMStateBackend = request.stateOverrides.isEmpty
            ? trieState : OverriddenState(base: trieState, overrides: request.stateOverrides)
        return CallContext(header: header, trieState: trieState, backend: backend)
    }

    /// Runs `request` with `gasLimit` on `context`; `prepare` may install a tracer first.
    func run(_ request: CallRequest, gasLimit: UInt64, in context: CallContext,
             prepare: (EVM) -> Void = { _ in }) throws -> TransactionResult {
        let journal = JournaledState(backend: context.backend)
        var blockEnvironment = BlockEnvironment(context.header, chainId: chainId)
        // A call may ask for more gas than a block holds; it is not a block transaction.
        blockEnvironment.gasLimit = max(blockEnvironment.gasLimit, gasLimit)
        let evm = EVM(state: journal, block: blockEnvironment, fork: .cancun)
        evm.rejectsSenderWithCode = false  // a call, not a transaction (see the property)
        prepare(evm)
        let sender = request.from ?? .zero
        let usesFeeCaps = request.maxFeePerGas != nil || request.maxPriorityFeePerGas != nil
        let transaction = TransactionEnvironment(
            type: usesFeeCaps ? 2 : 0, sender: sender, to: request.to, value: request.value ?? .zero,
            data: request.input ?? [], gasLimit: gasLimit, nonce: request.nonce ?? journal.nonce(sender),
            gasPrice: request.gasPrice ?? .zero, maxFeePerGas: request.maxFeePerGas ?? .zero,
            maxPriorityFeePerGas: request.maxPriorityFeePerGas ?? .zero)
        let result: TransactionResult
        do {
            result = try evm.execute(transaction: transaction)
        } catch {
            throw StateBackendError.execution(Self.message(for: error))
        }
        if let failure = context.trieState.readFailure {
            throw StateBackendError.execution("state database unreadable: \(failure)")
        }
        return result
    }

    /// The gas a call runs with: what the request names, else the block's gas limit, never
    /// more than `callGasCap` (a call must not occupy a core for long).
    func defaultGas(_ request: CallRequest, header: BlockHeader) -> UInt64 {
        min(request.gas ?? header.gasLimit, callGasCap)
    }

    public func call(_ request: CallRequest, at block: BlockSelector) throws -> [UInt8] {
        let context = try callContext(request, at: block)
        let result = try run(request, gasLimit: defaultGas(request, header: context.header), in: context)
        try Self.check(result)
        return result.output
    }

    /// The smallest gas limit with which the request succeeds, found by bisection between the
    /// gas a run with the full allowance used (a lower bound) and that allowance.
    public func estimateGas(_ request: CallRequest, at block: BlockSelector) throws -> UInt64 {
        let context = try callContext(request, at: block)
        let allowance = defaultGas(request, header: context.header)
        let full = try run(request, gasLimit: allowance, in: context)
        if full.halt == .reverted { try Self.check(full) }
        guard full.success else {
            throw StateBackendError.execution("gas required exceeds allowance (\(allowance)): \(Self.message(for: full.halt))")
        }
        func succeeds(_ gas: UInt64) -> Bool {
            (try? run(request, gasLimit: gas, in: context))?.success ?? false
        }
        var low = full.gasUsed, high = allowance
        if succeeds(low) { return low }
        while low + 1 < high {
            let middle = low + (high - low) / 2
            if succeeds(middle) { high = middle } else { low = middle }
        }
        return high
    }

    /// Throws the RPC error for a failed run: revert data with its decoded reason, or the halt.
    static func check(_ result: TransactionResult) throws {
        if result.success { return }
        if result.halt == .reverted {
            throw StateBackendError.reverted(data: result.output, reason: revertReason(result.output))
        }
        throw StateBackendError.execution(message(for: result.halt))
    }

    /// The message other clients show after "execution reverted: ".
    static func revertReason(_ data: [UInt8]) -> String? {
        switch try? RevertReason(data: data) {
        case .error(let message): return message
        case .panic(let code): return "panic: \(code.quantityHex)"
        default: return nil
        }
    }

    static func message(for halt: Halt) -> String {
        switch halt {
        case .outOfGas: return "out of gas"
        case .invalidInstruction, .undefinedInstruction: return "invalid opcode"
        case .stackUnderflow: return "stack underflow"
        case .stackOverflow: return "stack limit reached 1024"
        case .badJumpDestination: return "invalid jump destination"
        case .staticStateChange: return "write protection"
        case .returnDataOutOfBounds: return "return data out of bounds"
        case .callDepthExceeded: return "max call depth exceeded"
        case .codeTooLarge: return "max code size exceeded"
        case .initcodeTooLarge: return "max initcode size exceeded"
        case .invalidCodePrefix: return "invalid code: must not begin with 0xef"
        case .addressCollision: return "contract address collision"
        case .nonceOverflow: return "nonce uint64 overflow"
        case .precompileFailure: return "precompile failed"
        default: return "\(halt)"
        }
    }

    /// Texts other Ethereum nodes use for transactions that cannot run at all.
    static func message(for error: EVMTransactionError) -> String {
        switch error {
        case .insufficientAccountFunds: return "insufficient funds for gas * price + value"
        case let .intrinsicGasTooLow(intrinsic, limit): return "intrinsic gas too low: gas \(limit), minimum needed \(intrinsic)"
        case .gasAllowanceExceeded: return "exceeds block gas limit"
        case let .nonceMismatch(expected, got):
            return got < expected ? "nonce too low: address nonce \(expected), tx nonce \(got)"
                                  : "nonce too high: address nonce \(expected), tx nonce \(got)"
        case .senderNotEOA: return "sender not an eoa"
        case .insufficientMaxFeePerGas: return "max fee per gas less than block base fee"
        case .priorityGreaterThanMaxFeePerGas: return "max priority fee per gas higher than max fee per gas"
        case .initcodeSizeExceeded: return "max initcode size exceeded"
        default: return error.description
        }
    }

    /// Re-runs the block of a mined transaction up to it, then runs the transaction itself
    /// with `prepare` applied to the EVM first (a tracer), returning its result.
    func replay(transactionHash: Hash32, prepare: (EVM) -> Void) throws -> TransactionResult {
        guard let (_, location) = try database.transaction(hash: transactionHash),
              let block = try database.block(hash: location.blockHash),
              let parent = try database.header(hash: block.header.parentHash) else {
            throw RPCError.server("transaction \(transactionHash) not found")
        }
        let state = TrieAccountState(database: database, root: parent.stateRoot)
        let journal = JournaledState(backend: state)
        let evm = EVM(state: journal, block: BlockEnvironment(block.header, chainId: chainId), fork: .cancun)
        for transaction in block.transactions[..<Int(location.index)] {
            _ = try? evm.execute(transaction: TransactionEnvironment(transaction, sender: try transaction.cachedSender()))
        }
        let target = block.transactions[Int(location.index)]
        let environment = TransactionEnvironment(target, sender: try target.cachedSender())
        prepare(evm)
        let result: TransactionResult
        do {
            result = try evm.execute(transaction: environment)
        } catch {
            throw StateBackendError.execution(Self.message(for: error))
        }
        if let failure = state.readFailure { throw StateBackendError.execution("state database unreadable: \(failure)") }
        return result
    }

    public func traceTransaction(hash: Hash32, options: JSONValue?) throws -> JSONValue {
        let tracer = try TraceOptions(json: options).makeTracer()
        _ = try replay(transactionHash: hash) { evm in evm.tracer = tracer }
        return try TraceJSON.result(of: tracer)
    }

    public func traceCall(_ request: CallRequest, at block: BlockSelector, options: JSONValue?) throws -> JSONValue {
        let tracer = try TraceOptions(json: options).makeTracer()
        let context = try callContext(request, at: block)
        _ = try run(request, gasLimit: defaultGas(request, header: context.header), in: context) { evm in
            evm.tracer = tracer
        }
        return try TraceJSON.result(of: tracer)
    }
}
