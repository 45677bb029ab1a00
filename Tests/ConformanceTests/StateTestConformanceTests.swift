import EVM
import Foundation
import Testing

/// Ethereum GeneralStateTests under Cancun rules, sharded by top-level category directory.
/// Every case must pass; a precompile without implementation would be reported per category.
@Suite("GeneralStateTests (Cancun)")
struct StateTestConformanceTests {
    static let base = "GeneralStateTests"

    /// Top-level categories; Cancun, Shanghai, Pyspecs and VMTests are split one level further.
    static let categories: [String] = {
        let root = ConformanceData.root.appendingPathComponent(base)
        let fm = FileManager.default
        var out: [String] = []
        for top in ((try? fm.contentsOfDirectory(atPath: root.path)) ?? []).sorted() {
            if ["Cancun", "Shanghai", "Pyspecs", "VMTests"].contains(top) {
                let sub = root.appendingPathComponent(top).path
                for s in ((try? fm.contentsOfDirectory(atPath: sub)) ?? []).sorted() { out.append("\(top)/\(s)") }
            } else {
                out.append(top)
            }
        }
        return out
    }()

    /// Failures allowed per category (cases that call an unimplemented precompile): none now.
    static let knownUnimplementedFailures: [String: Int] = [:]

    /// A parameterised test with no arguments runs nothing and passes; this one fails instead
    /// when the categories (and so the vectors) are missing.
    @Test func vectorsArePresent() {
        #expect(Self.categories.count >= ConformanceFloor.stateTestCategories,
                "found \(Self.categories.count) GeneralStateTests categories under \(ConformanceData.root.path), expected \(ConformanceFloor.stateTestCategories)")
    }

    @Test(arguments: categories)
    func category(_ name: String) {
        let files = ConformanceData.jsonFiles(under: "\(Self.base)/\(name)")
        #expect(!files.isEmpty, "no vectors under \(name)")
        let outcomes = StateTestRunner.withLargeStack { files.flatMap { StateTestRunner.run(file: $0, fork: .cancun) } }
        var tally = ConformanceTally("GeneralStateTests/\(name)")
        var unexplained: [String] = []
        var unimplemented = 0
        for o in outcomes {
            tally.check(o.label, o.passed, o.detail)
            if !o.passed {
                if o.unimplementedPrecompile != nil { unimplemented += 1 } else { unexplained.append("\(o.label): \(o.detail)") }
            }
        }
        tally.printSummary()
        if unimplemented > 0 {
            print("[GeneralStateTests/\(name)] \(unimplemented) failures call unimplemented precompiles ")
        }
        // Every failure must be an unimplemented precompile, and no more of those than measured.
        #expect(unexplained.isEmpty, "\(unexplained.prefix(10))")
        #expect(unimplemented <= Self.knownUnimplementedFailures[name, default: 0])
        #expect(tally.passed + tally.failures.count == outcomes.count)
        // The shard that completes the set checks the total, so fewer cases than counted fail.
        if let total = StateTestTotals.shared.add(name, passed: tally.passed, failed: tally.failures.count,
                                                  expectedShards: Self.categories.count) {
            #expect(total >= ConformanceFloor.stateTests, "GeneralStateTests ran \(total) cases, expected at least \(ConformanceFloor.stateTests)")
        }
    }
}

/// Sums the shards (which run in parallel) and prints the total once the last one reports.
final class StateTestTotals: @unchecked Sendable {
    static let shared = StateTestTotals()
    private let lock = NSLock()
    private var passed = 0, failed = 0, shards = 0
    private var failingCategories: [String] = []

    /// Adds one shard; returns the number of cases of all shards once the last one reports.
    func add(_ name: String, passed p: Int, failed f: Int, expectedShards: Int) -> Int? {
        lock.lock(); defer { lock.unlock() }
        passed += p; failed += f; shards += 1
        if f > 0 { failingCategories.append("\(name) (\(f))") }
        if shards == expectedShards {
            print("[GeneralStateTests] total \(passed) passed, \(failed) failed")
            if !failingCategories.isEmpty { print("[GeneralStateTests] failing categories: \(failingCategories.sorted().joined(separator: ", "))") }
            return passed + failed
        }
        return nil
    }
}
