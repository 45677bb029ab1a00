import Foundation
import Primitives

/// The verdict on one (test, fork, data/gas/value index).
public struct StateTestOutcome: Sendable {
    public var file: String
    public var name: String
    public var fork: Fork
    public var data: Int, gas: Int, value: Int
    public var passed: Bool
    /// Expected vs got, when failed.
    public var detail: String
    /// Set when the case called a precompile MLedger does not implement yet (counted as failed).
    public var unimplementedPrecompile: UInt64?

    public var label: String { "\(name) [\(fork)] d=\(data) g=\(gas) v=\(value)" }
}

/// Runs state tests: executes each indexed transaction on a copy of the pre-state and compares
/// the post-state root, the logs hash and the expected exception.
public enum StateTestRunner {
    /// Runs one expectation. `gasUsed` receives the transaction's gas when it was included.
    public static func run(_ test: StateTestCase, fork: Fork, _ e: StateTestCase.Expectation, file: String = "",
                           gasUsed: UnsafeMutablePointer<UInt64>? = nil) -> StateTestOutcome {
        var outcome = StateTestOutcome(file: file, name: test.name, fork: fork, data: e.data, gas: e.gas, value: e.value,
                                       passed: false, detail: "", unimplementedPrecompile: nil)
        let backend = test.pre.copy()
        var logs: [Log] = []
        var txError: String?
        if let tx = test.transaction(e) {
            let state = JournaledState(backend: backend)
            let evm = EVM(state: state, block: test.block, fork: fork)
            do {
                let result = try evm.execute(transaction: tx)
                logs = result.logs
                gasUsed?.pointee = result.gasUsed
                backend.apply(state.changes())
            } catch {
                txError = error.category
            }
            outcome.unimplementedPrecompile = evm.unimplementedPrecompileUsed
        } else {
            txError = "unrepresentable transaction field"
        }
        let root = TrieRoot.stateRoot(backend)
        let logsHash = TrieRoot.logsHash(logs)
        var problems: [String] = []
        if let expected = e.expectException {
            if txError == nil { problems.append("expected exception \(expected), transaction was valid") }
        } else if let got = txError {
            problems.append("unexpected exception \(got)")
        }
        if root != e.hash { problems.append("state root expected \(e.hash) got \(root)") }
        if logsHash != e.logs { problems.append("logs hash expected \(e.logs) got \(logsHash)") }
        outcome.passed = problems.isEmpty
        outcome.detail = problems.joined(separator: "; ")
        if !outcome.passed, let p = outcome.unimplementedPrecompile { outcome.detail += " (precompile 0x\(String(p, radix: 16)) not implemented)" }
        return outcome
    }

    /// Runs every expectation for `fork` in a JSON file.
    public static func run(file url: URL, fork: Fork) -> [StateTestOutcome] {
        let name = url.lastPathComponent
        let tests: [StateTestCase]
        do {
            tests = try StateTestParser.parse(Data(contentsOf: url))
        } catch {
            return [StateTestOutcome(file: url.path, name: name, fork: fork, data: 0, gas: 0, value: 0, passed: false,
                                     detail: "cannot read: \(error)", unimplementedPrecompile: nil)]
        }
        var out: [StateTestOutcome] = []
        for t in tests {
            for e in t.expectations[fork] ?? [] { out.append(run(t, fork: fork, e, file: url.path)) }
        }
        return out
    }

    /// All `.json` files under the given files or directories, sorted.
    public static func jsonFiles(_ paths: [String]) -> [URL] {
        var out: [URL] = []
        for p in paths {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: p, isDirectory: &isDir) else { continue }
            if isDir.boolValue {
                let walker = FileManager.default.enumerator(at: URL(fileURLWithPath: p), includingPropertiesForKeys: nil)
                while let u = walker?.nextObject() as? URL { if u.pathExtension == "json" { out.append(u) } }
            } else {
                out.append(URL(fileURLWithPath: p))
            }
        }
        return out.sorted { $0.path < $1.path }
    }

    /// Runs `body` on a thread with a large stack: 1024 nested call frames recurse deeply.
    public static func withLargeStack<T>(_ body: @escaping () -> T) -> T {
        let box = LargeStackBox(body)
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = box.body()
            done.signal()
        }
        thread.stackSize = 1 << 29
        thread.start()
        done.wait()
        return box.value!
    }
}

private final class LargeStackBox<T>: @unchecked Sendable {
    var value: T?
    let body: () -> T
    init(_ body: @escaping () -> T) { self.body = body }
}
