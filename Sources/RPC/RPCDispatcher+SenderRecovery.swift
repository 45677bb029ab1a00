import Chain
import LedgerCrypto
import Foundation
import Primitives

extension RPCDispatcher {
    /// The smallest batch of raw transactions worth spreading over the cores.
    static let parallelRecoveryThreshold = 16

    /// Recovers the senders of a batch's `eth_sendRawTransaction` payloads on every core,
    /// into the shared sender cache, before the calls run one by one: signature recovery is
    /// the costliest step of admission, and a batch's calls are otherwise answered on one
    /// thread. Payloads that do not decode are left for the call itself to refuse.
    static func recoverSendersInParallel(_ calls: [JSONValue]) {
        var raws = [[UInt8]]()
        for call in calls {
            guard call["method"] == .string("eth_sendRawTransaction"),
                  let text = call["params"]?.arrayValue?.first?.stringValue,
                  let raw = try? Hex.decode(text, requirePrefix: true) else { continue }
            raws.append(raw)
        }
        guard raws.count >= parallelRecoveryThreshold else { return }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, raws.count)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var index = worker
            while index < raws.count {
                if let transaction = try? Transaction(encoded: raws[index]) {
                    _ = try? transaction.cachedSender(hash: Keccak256.hash(raws[index]))
                }
                index += workers
            }
        }
    }
}
