import Audit
import Foundation
import LedgerClient
import Primitives
import RPC
import Testing

/// Audits pointed at contracts that are not records must end, quickly and whatever the contract
/// returns, with FAIL lines (exit 1 from the binary); a node that stops answering is a finding
/// too, never a hang.
@Suite struct ForeignContractAuditTests {
    /// Runtime code installed by a minimal init: PUSH2 size, DUP1, PUSH1 10, PUSH0, CODECOPY, PUSH0, RETURN.
    static func deployment(ofRuntime runtime: [UInt8]) -> [UInt8] {
        let size = [UInt8(runtime.count >> 8), UInt8(runtime.count & 0xff)]
        let prefix: [UInt8] = [0x61] + size + [0x80, 0x60, 0x0a, 0x5f, 0x39, 0x5f, 0xf3]
        return prefix + runtime
    }

    /// A Vyper 0.4.3 contract (`--evm-version cancun`) that looks like a record from afar:
    /// `owner: public(address)`, `weightsHash: public(bytes32)`, set in `__init__` to the deployer
    /// and keccak256("look-alike"); every other selector reverts.
    static let lookAlike = try! Hex.decode(
        "0x3461003b57335f557f28f6cf325c7095a3654b5b7bfcc0ea0e7d16adc154f3aaf0cdd73c4b285fef2460015561005b61003f6000"
        + "39" + "61005b6000f35b5f80fd5f3560e01c60026001821660011b61005701601e395f51565b638da5cb5b811861004f5734610053575f54"
        + "60405260206040f35b639bebc68e811861004f57346100535760015460405260206040f35b5f5ffd5b5f80fd00330018855820"
        + "5a5a2b6fb83aec13f0fba40dac644da9c68e07feaf3487e2145468df00df5956185b810400a1657679706572830004030035",
        requirePrefix: true)

    /// Runtimes of the other impostors.
    static let revertsEverything: [UInt8] = [0x5f, 0x5f, 0xfd]  // PUSH0 PUSH0 REVERT
    /// MSTORE(0, 2^256-1), RETURN(0, 0x40000): 256 KiB whose first word is no valid offset, bool or address.
    static let hugeMalformed: [UInt8] = [0x7f] + [UInt8](repeating: 0xff, count: 32)
        + [0x5f, 0x52, 0x62, 0x04, 0x00, 0x00, 0x5f, 0xf3]
    /// Three bytes: shorter than any ABI word.
    static let truncated: [UInt8] = [0x62, 0xab, 0xcd, 0xef, 0x5f, 0x52, 0x60, 0x03, 0x60, 0x1d, 0xf3]
    /// CALLER SELFDESTRUCT: every call ends in SELFDESTRUCT with no output.
    static let selfDestructs: [UInt8] = [0x33, 0xff]

    /// Audits `address` with a deadline far above what the audit needs, so a hang fails the test
    /// instead of stalling the suite.
    static func auditEnds(_ fixture: LineageFixture, _ address: Address) async throws -> AuditReport {
        let auditor = try LineageAuditor(client: fixture.client)
        return try await withThrowingTaskGroup(of: AuditReport?.self) { group in
            group.addTask { try await auditor.audit(model: address) }
            group.addTask { try await Task.sleep(nanoseconds: 60_000_000_000); return nil }
            defer { group.cancelAll() }
            guard let report = try await group.next() ?? nil else {
                Issue.record("the audit of \(address) did not end within 60 s")
                throw CancellationError()
            }
            return report
        }
    }

    /// What every impostor must get: failing code-hash and storage checks, chain seals still fine.
    static func expectRefused(_ report: AuditReport, _ address: Address) {
        #expect(!report.allPassed)
        #expect(report.check(named: "chain-seals")?.passed == true)
        #expect(report.check(named: "model-code-hash@\(address)")?.passed == false)
        #expect(report.check(named: "model-storage-proof@\(address)")?.passed == false)
        #expect(report.check(named: "lineage")?.passed == false)
    }

    @Test func lookAlikeContractFailsAndEnds() async throws {
        try await LineageAuditTests.withChain { fixture in
            let impostor = try await fixture.deploy(LineageFixture.companyA, Self.lookAlike)
            // It does answer the two getters it has, like a record would.
            var ownerCall = CallRequest()
            ownerCall.to = impostor
            ownerCall.input = [0x8d, 0xa5, 0xcb, 0x5b]  // owner()
            let owner = try await fixture.client.call(ownerCall, at: .latest)
            #expect(owner.count == 32)
            let report = try await Self.auditEnds(fixture, impostor)
            Self.expectRefused(report, impostor)
            let storage = report.check(named: "model-storage-proof@\(impostor)")?.evidence ?? ""
            #expect(storage.contains("getter"), "\(storage)")

            // The binary too: FAIL lines and exit code 1.
            let run = try await AuditCommandTests.run(["audit", "--rpc", fixture.chain.server.url.absoluteString,
                                                       "--model", impostor.description])
            #expect(run.status == 1, "\(run.output)\(run.errors)")
            #expect(run.output.contains("FAIL model-code-hash@\(impostor)"))
            #expect(run.output.split(separator: "\n").last?.hasPrefix("audit: ") == true)
        }
    }

    @Test(arguments: ["reverts", "huge-malformed", "truncated", "self-destructs"])
    func impostorFailsAndEnds(_ kind: String) async throws {
        let runtime: [UInt8] = switch kind {
        case "reverts": Self.revertsEverything
        case "huge-malformed": Self.hugeMalformed
        case "truncated": Self.truncated
        default: Self.selfDestructs
        }
        try await LineageAuditTests.withChain { fixture in
            let impostor = try await fixture.deploy(LineageFixture.companyA, Self.deployment(ofRuntime: runtime))
            #expect(try await fixture.client.code(of: impostor, at: .latest) == runtime)
            if kind == "self-destructs" {
                // A real SELFDESTRUCT in a later transaction (EIP-6780: the code stays).
                try await fixture.send(LineageFixture.companyA, to: impostor, data: [])
            }
            Self.expectRefused(try await Self.auditEnds(fixture, impostor), impostor)
        }
    }

    @Test func nodeThatStopsAnsweringIsAFindingNotAHang() async throws {
        let silent = try SilentListener()
        defer { silent.stop() }
        let client = try JSONRPCLedgerClient(url: URL(string: "http://127.0.0.1:\(silent.port)")!, timeoutSeconds: 1)
        await #expect(throws: LedgerClientError.self) { _ = try await client.blockNumber() }
        do { _ = try await client.blockNumber() } catch let error as LedgerClientError {
            guard case .timeout(let message) = error else { Issue.record("expected .timeout, got \(error)"); return }
            #expect(message.contains("eth_blockNumber"))
        }
        let report = try await LineageAuditor(client: client).audit(model: Address(hi: 0, mid: 0, lo: 1))
        #expect(report.checks.map(\.name) == ["chain-seals"])
        #expect(report.check(named: "chain-seals")?.passed == false)
        // No wall-clock bound here: inside the whole parallel suite this task can wait long for a
        // thread. The binary's end-to-end bound is checked by the interop suite
        // (test_audit_foreign_contracts.py), in a process of its own.
    }
}

/// A TCP listener on 127.0.0.1 that completes connections (through the kernel's backlog) and
/// never reads or answers: a node that stopped answering.
final class SilentListener: @unchecked Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw POSIXError(.EIO) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(fd, pointer, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, pointer, &length) == 0
            }
        }
        guard bound else { close(fd); throw POSIXError(.EADDRINUSE) }
        descriptor = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func stop() { close(descriptor) }
}
