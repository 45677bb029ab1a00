import Foundation
import Testing

/// Locates `../shared/conformance/ethereum-tests/` beside the checkout (never copied in).
/// `MLEDGER_ETHEREUM_TESTS` overrides the location.
enum ConformanceData {
    static var root: URL {
        if let override = ProcessInfo.processInfo.environment["MLEDGER_ETHEREUM_TESTS"] {
            return URL(fileURLWithPath: override)
        }
        var dir = URL(fileURLWithPath: #filePath)  // .../Tests/ConformanceTests/ConformanceSupport.swift
        for _ in 0..<3 { dir.deleteLastPathComponent() }
        return dir.deletingLastPathComponent().appendingPathComponent("shared/conformance/ethereum-tests")
    }

    /// All `.json` files below `relativePath`, sorted, recursively.
    static func jsonFiles(under relativePath: String) -> [URL] {
        let base = root.appendingPathComponent(relativePath)
        guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: nil) else { return [] }
        return walker.compactMap { $0 as? URL }.filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
    }

    static func loadJSON(_ url: URL) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url))
    }
}

/// How many cases each suite ran when its vectors were last counted in full. A suite that finds
/// fewer fails: missing or truncated vectors must never read as a pass ("0 passed, 0 failed").
enum ConformanceFloor {
    static let rlp = 55
    static let trie = 37
    static let transactionsCancun = 149
    static let transactionsOlder = 61
    static let keyStore = 5
    static let txtest = 2
    static let keyaddrtest = 2
    static let stateTestCategories = 66
    static let stateTests = 15_113
}

/// Tallies a conformance suite and prints the `N passed, M failed` summary the README quotes.
struct ConformanceTally {
    let suite: String
    var passed = 0
    var failures: [String] = []

    init(_ suite: String) { self.suite = suite }

    mutating func check(_ name: String, _ ok: Bool, _ detail: @autoclosure () -> String = "") {
        if ok { passed += 1 } else { failures.append("\(name): \(detail())") }
    }

    /// Fails the running test unless at least `minimum` cases were checked.
    func expectAtLeast(_ minimum: Int, sourceLocation: SourceLocation = #_sourceLocation) {
        let ran = passed + failures.count
        #expect(ran >= minimum, "[\(suite)] ran \(ran) cases, expected at least \(minimum): are the vectors under \(ConformanceData.root.path) missing or truncated?",
                sourceLocation: sourceLocation)
    }

    func printSummary() {
        for failure in failures.prefix(50) { print("[\(suite)] FAIL \(failure)") }
        print("[\(suite)] \(passed) passed, \(failures.count) failed")
    }
}
