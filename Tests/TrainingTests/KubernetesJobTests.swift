import Foundation
import Primitives
import Testing
import Training

/// The Kubernetes executor's documents and requests. No cluster runs here: the manifest is
/// decoded into the typed batch/v1 Job by kubectl's own scheme (offline), and the requests and
/// watch parsing are checked against a hand-written exchange in the API's documented shapes.
@Suite struct KubernetesJobTests {
    let spec = KubernetesJobSpec(
        jobId: UUID(uuidString: "11111111-2222-4333-8444-555555555555")!, modelId: UUID(uuidString: "aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee")!,
        image: "ghcr.io/acme/train@sha256:" + String(repeating: "ab", count: 32), seed: 7, params: #"{"epochs":2,"seed":7}"#,
        datasets: [UUID(uuidString: "99999999-8888-4777-8666-555555555555")!], sharingURL: "http://mledger.mledger.svc:8080",
        organization: "acme")

    /// Runs kubectl; a missing kubectl fails the test (tools/setup installs one).
    func kubectl(_ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let candidates = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"]
        guard let path = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            Issue.record("kubectl not found (install Debian's kubernetes-client: tools/setup)")
            return (-1, "", "")
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = FileManager.default.temporaryDirectory.path  // no kubeconfig, no cache of a real cluster
        environment["KUBECONFIG"] = "/dev/null"
        process.environment = environment
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    @Test func manifestDecodesAsATypedBatchV1JobWithNothingDropped() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-k8s-\(UUID().uuidString).json")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(spec.manifest.serialized.utf8).write(to: file)
        // `set resources --local` decodes the file into kubectl's typed scheme without a server:
        // a wrong type or kind is an error, and a misspelled field would be missing from the output.
        let run = try kubectl(["set", "resources", "--local", "-f", file.path, "-c", "upload-weights", "--limits=cpu=600m", "-o", "json"])
        #expect(run.status == 0, "\(run.err)")
        guard let decoded = JSONValue.parse(Array(run.out.utf8)) else { Issue.record("kubectl printed no JSON (status \(run.status)): \(run.out) \(run.err)"); return }
        #expect(decoded["kind"] == "Job" && decoded["apiVersion"] == "batch/v1")
        #expect(decoded["metadata"]?["name"]?.stringValue == "mledger-train-11111111-2222-4333-8444-555555555555")
        let sent = spec.manifest["spec"]?["template"]?["spec"]
        let back = decoded["spec"]?["template"]?["spec"]
        #expect(back?["initContainers"] == sent?["initContainers"])
        #expect(back?["volumes"] == sent?["volumes"])
        #expect(back?["restartPolicy"] == "Never")
        #expect(decoded["spec"]?["backoffLimit"] == 0 && decoded["spec"]?["activeDeadlineSeconds"] == 3600)
        let train = back?["initContainers"]?.arrayValue?.first { $0["name"] == "train" }
        #expect(train?["env"]?.arrayValue?.contains(.object(["name": "MLEDGER_SEED", "value": "7"])) == true)
        #expect(train?["image"]?.stringValue == spec.image)

        // The check itself can fail: a broken document is refused.
        try Data(spec.manifest.serialized.replacingOccurrences(of: #""backoffLimit":0"#, with: #""backoffLimit":"none""#).utf8).write(to: file)
        #expect(try kubectl(["set", "resources", "--local", "-f", file.path, "--limits=cpu=1", "-o", "json"]).status != 0)
    }

    @Test func requestsFollowTheRecordedExchange() {
        let create = KubernetesJobAPI.create(spec)
        #expect(create.method == "POST" && create.target == "/apis/batch/v1/namespaces/default/jobs")
        #expect(create.body.flatMap { JSONValue.parse(Array($0.utf8)) } == spec.manifest)
        let watch = KubernetesJobAPI.watch(spec, resourceVersion: "4711")
        #expect(watch.method == "GET")
        #expect(watch.target == "/apis/batch/v1/namespaces/default/jobs?watch=true&fieldSelector=metadata.name%3Dmledger-train-11111111-2222-4333-8444-555555555555&resourceVersion=4711")
        let delete = KubernetesJobAPI.delete(spec)
        #expect(delete.method == "DELETE" && delete.target.hasSuffix("/jobs/mledger-train-11111111-2222-4333-8444-555555555555?propagationPolicy=Foreground"))

        // Watch lines as the API server streams them (one JSON event per line).
        let exchange = [
            #"{"type":"ADDED","object":{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","resourceVersion":"4712"},"status":{}}}"#,
            #"{"type":"MODIFIED","object":{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","resourceVersion":"4713"},"status":{"active":1}}}"#,
            #"{"type":"BOOKMARK","object":{"kind":"Job","apiVersion":"batch/v1","metadata":{"resourceVersion":"4714"}}}"#,
            #"{"type":"MODIFIED","object":{"kind":"Job","apiVersion":"batch/v1","metadata":{"name":"j","resourceVersion":"4715"},"status":{"succeeded":1,"conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}}}"#,
        ]
        let phases = exchange.compactMap { KubernetesJobAPI.phase(watchLine: $0) }
        #expect(phases.map(\.phase) == [.pending, .running, .pending, .succeeded])
        #expect(phases.last?.resourceVersion == "4715")
        let failed = #"{"type":"MODIFIED","object":{"kind":"Job","metadata":{"resourceVersion":"9"},"status":{"failed":1,"conditions":[{"type":"Failed","status":"True","reason":"DeadlineExceeded","message":"Job was active longer than specified deadline"}]}}}"#
        #expect(KubernetesJobAPI.phase(watchLine: failed)?.phase == .failed("DeadlineExceeded: Job was active longer than specified deadline"))
        #expect(KubernetesJobAPI.phase(watchLine: #"{"type":"ERROR","object":{"kind":"Status","message":"too old resource version"}}"#)?.phase
                == .failed("too old resource version"))
        #expect(KubernetesJobAPI.phase(watchLine: "not json") == nil)
    }
}
