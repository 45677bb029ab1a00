import Chain
import DevStack
import Foundation
import Hummingbird
import HummingbirdTesting
import LedgerClient
import Logging
import ModelSharing
import NIOCore
import Node
import ObjectStore
import OnlineLearning
import Primitives
import Registry
import Verification

/// A throw-away dev chain with model sharing and online learning over it, laid out as
/// `mledger run --dev` lays out its data directory. `reopen()` builds a new hub over the same
/// directory without stopping the old one, as a restart after `kill -9` finds it.
final class OnlineHarness: @unchecked Sendable {
    let stack: DevSharingStack
    var directory: URL { stack.directory }
    var node: LedgerNode { stack.node }
    var client: InProcessLedgerClient { stack.client }
    var registry: Registry { stack.registry }
    var sharing: ModelSharingService { stack.service }
    var hub: OnlineLearningHub

    init(faults: SharingFaults = SharingFaults()) throws {
        stack = try DevSharingStack(label: "ol", faults: faults, logger: Logger(label: "ol-test"))
        hub = OnlineLearningHub(dataDirectory: stack.directory, sharing: stack.service, logger: Logger(label: "ol-test"))
    }

    func reopen() async throws {
        hub = OnlineLearningHub(dataDirectory: directory, sharing: sharing, logger: Logger(label: "ol-test"))
        try await hub.start(declarations: [])
    }

    func close() { stack.close() }

    static func with(faults: SharingFaults = SharingFaults(), _ body: (OnlineHarness) async throws -> Void) async throws {
        let harness = try OnlineHarness(faults: faults)
        defer { harness.close() }
        try await body(harness)
    }

    func spec(_ extra: String = "", name: String = "house-1") throws -> OnlineServiceSpec {
        let text = #"{"name": "\#(name)", "organization_id": "acme", "developer_id": "dev-1", "batch": {"hours": 12}, "#
            + #""transformer": {"lateness_seconds": 0}, "snapshot": {"min_relative_improvement": 0.0}"# + extra + "}"
        return try OnlineServiceSpec(json: JSONValue.parse(Array(text.utf8))!)
    }
}

/// Synthetic three-phase readings whose hourly means follow a daily cycle: `perHour` readings in
/// each hour from `firstHour`, one JSON array message per hour.
func hourlyMessages(firstHour: Int, hours: Int, perHour: Int = 4) -> [[UInt8]] {
    (firstHour..<(firstHour + hours)).map { hour in
        let level = 5 + 4 * sin(Double(hour % 24) / 24 * 2 * Double.pi)
        let readings = (0..<perHour).map { k in
            readingJSON(Double(hour * 3600 + k * (3600 / perHour)), amps: [level, level * 0.5, level * 0.25])
        }
        return Array(("[" + readings.joined(separator: ",") + "]").utf8)
    }
}

enum HTTP {
    static func json(_ client: any TestClientProtocol, _ method: HTTPRequest.Method, _ uri: String, _ body: String? = nil,
                     headers: HTTPFields = [:]) async throws -> (HTTPResponse.Status, JSONValue) {
        var fields = headers
        fields[.contentType] = "application/json"
        return try await client.execute(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(string: $0) }) { response in
            (response.status, JSONValue.parse(Array(buffer: response.body)) ?? .null)
        }
    }
}
