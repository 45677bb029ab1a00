import Foundation
import Primitives

/// One finding of an audit: a stable name (what was checked, and on which record or file),
/// whether it held, and the evidence either way (the values compared, the block they were
/// proven at).
public struct AuditCheck: Equatable, Sendable {
    public let name: String
    public let passed: Bool
    public let evidence: String

    public init(name: String, passed: Bool, evidence: String) {
        self.name = name
        self.passed = passed
        self.evidence = evidence
    }

    static func pass(_ name: String, _ evidence: String) -> AuditCheck { AuditCheck(name: name, passed: true, evidence: evidence) }
    static func fail(_ name: String, _ evidence: String) -> AuditCheck { AuditCheck(name: name, passed: false, evidence: evidence) }
}

/// Everything one audit found, in the order the checks ran.
public struct AuditReport: Equatable, Sendable {
    /// The audited model record.
    public let model: Address
    /// The sealed head block every proof and call was made against.
    public let blockNumber: UInt64
    public let checks: [AuditCheck]
    /// The header chain as verified by this audit (nil when the seal walk failed): what
    /// `--checkpoint` keeps for the next audit.
    public let checkpoint: AuditCheckpoint?
    /// The proven model records, the audited one first, then its parents (those that could be
    /// read): what checks outside this module (a translation's certificate) build on.
    public let lineage: [ModelRecordState]

    public init(model: Address, blockNumber: UInt64, checks: [AuditCheck], checkpoint: AuditCheckpoint? = nil,
                lineage: [ModelRecordState] = []) {
        self.model = model
        self.blockNumber = blockNumber
        self.checks = checks
        self.checkpoint = checkpoint
        self.lineage = lineage
    }

    /// The same report with `more` checks after its own.
    public func adding(_ more: [AuditCheck]) -> AuditReport {
        AuditReport(model: model, blockNumber: blockNumber, checks: checks + more, checkpoint: checkpoint, lineage: lineage)
    }

    public var passedCount: Int { checks.filter(\.passed).count }
    public var failedCount: Int { checks.count - passedCount }
    /// True only when there is at least one check and none failed.
    public var allPassed: Bool { !checks.isEmpty && failedCount == 0 }

    /// The check named `name`, if it ran.
    public func check(named name: String) -> AuditCheck? { checks.first { $0.name == name } }

    /// One line per check (`PASS name` or `FAIL name: evidence`), then
    /// `audit: N passed, M failed`.
    public var text: String {
        var lines = checks.map { $0.passed ? "PASS \($0.name)" : "FAIL \($0.name): \($0.evidence)" }
        lines.append("audit: \(passedCount) passed, \(failedCount) failed")
        return lines.joined(separator: "\n")
    }

    /// The same content as one JSON document (keys sorted, so the output is stable).
    public var json: String {
        let document: JSONValue = [
            "model": .string(model.description),
            "block": .number(JSONNumber(blockNumber)),
            "checks": .array(checks.map { ["name": .string($0.name), "passed": .bool($0.passed), "evidence": .string($0.evidence)] }),
            "passed": .int(passedCount),
            "failed": .int(failedCount),
        ]
        return document.prettyPrinted
    }
}
