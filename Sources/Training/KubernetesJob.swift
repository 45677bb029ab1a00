import Foundation
import Primitives

/// A training job as a Kubernetes batch/v1 Job, and the API requests that create, watch and
/// delete it. For users who outgrow one machine: the trainer image runs in the cluster with the
/// job's seeds and parameters, its datasets fetched from the sharing API by an init container
/// (checked there against their ETag, the file's Keccak-256), and an uploader step sends the
/// declared weights file back with `PUT /model/{model_id}`, which stores and finalizes it as any
/// upload (chunk commitment included).
///
/// Only the documents and the HTTP requests are made here; sending them (in-cluster service
/// account token or a kubeconfig's credentials) is the caller's. No cluster ran any of this:
/// the manifests are validated by `kubectl create --dry-run=client`, the requests and the watch
/// parsing against a hand-written exchange in the shapes the Kubernetes API documents.
public struct KubernetesJobSpec: Sendable, Equatable {
    public var jobId: UUID
    public var modelId: UUID
    public var namespace = "default"
    public var image: String
    public var seed: UInt64
    /// Canonical parameters JSON, given to the trainer as `params.json`.
    public var params: String
    /// Dataset ids to fetch from `sharingURL`.
    public var datasets: [UUID]
    /// Base URL of the MLedger REST API as seen from inside the cluster.
    public var sharingURL: String
    public var organization: String
    public var cpu = "2"
    public var memory = "4Gi"
    public var timeoutSeconds = 3600
    public var weightsFile = ProcessExecutor.defaultWeightsFile
    /// Image of the fetch and upload steps (needs `sh` and `curl`).
    public var helperImage = "docker.io/curlimages/curl:8.11.1"

    public init(jobId: UUID, modelId: UUID, image: String, seed: UInt64, params: String, datasets: [UUID],
                sharingURL: String, organization: String) {
        self.jobId = jobId
        self.modelId = modelId
        self.image = image
        self.seed = seed
        self.params = params
        self.datasets = datasets
        self.sharingURL = sharingURL
        self.organization = organization
    }

    /// `mledger-train-` and the job id: a DNS-1123 name, unique per job.
    public var name: String { "mledger-train-" + jobId.uuidString.lowercased() }

    static func text(_ id: UUID) -> String { id.uuidString.lowercased() }

    /// The batch/v1 Job document.
    public var manifest: JSONValue {
        let work: JSONValue = .object(["name": "work", "mountPath": "/work"])
        let fetch = datasets.map { id -> String in
            "curl -fsS -o /work/datasets/\(Self.text(id)) '\(sharingURL)/dataset/\(Self.text(id))?organization_id=\(organization)'"
        }
        let prepare = (["mkdir -p /work/datasets /work/output", "printf '%s' \"$MLEDGER_PARAMS_JSON\" > /work/params.json"] + fetch)
            .joined(separator: " && ")
        let upload = "test -s /work/output/\(weightsFile) && curl -fsS -X PUT -F 'model=@/work/output/\(weightsFile)' "
            + "'\(sharingURL)/model/\(Self.text(modelId))?organization_id=\(organization)'"
        let labels: JSONValue = .object([
            "app.kubernetes.io/managed-by": "mledger", "mledger.io/job-id": .string(Self.text(jobId)),
            "mledger.io/model-id": .string(Self.text(modelId)),
        ])
        let seedText = String(seed)
        let trainerEnv: JSONValue = .array([
            .object(["name": "MLEDGER_SEED", "value": .string(seedText)]),
            .object(["name": "PYTHONHASHSEED", "value": .string(String(seed % 4_294_967_296))]),
            .object(["name": "MLEDGER_PARAMS", "value": "/work/params.json"]),
            .object(["name": "MLEDGER_DATASETS", "value": "/work/datasets"]),
            .object(["name": "MLEDGER_OUTPUT", "value": "/work/output"]),
            .object(["name": "MLEDGER_WEIGHTS_FILE", "value": .string("/work/output/\(weightsFile)")]),
            .object(["name": "CUBLAS_WORKSPACE_CONFIG", "value": ":4096:8"]),
        ])
        let resources: JSONValue = .object([
            "requests": .object(["cpu": .string(cpu), "memory": .string(memory)]),
            "limits": .object(["cpu": .string(cpu), "memory": .string(memory)]),
        ])
        let helperResources: JSONValue = .object([
            "requests": .object(["cpu": "100m", "memory": "64Mi"]), "limits": .object(["cpu": "500m", "memory": "256Mi"]),
        ])
        return .object([
            "apiVersion": "batch/v1", "kind": "Job",
            "metadata": .object(["name": .string(name), "namespace": .string(namespace), "labels": labels]),
            "spec": .object([
                // A failed training is not retried by the cluster: the job fails with its log.
                "backoffLimit": 0, "activeDeadlineSeconds": .int(timeoutSeconds), "ttlSecondsAfterFinished": 3600,
                "template": .object([
                    "metadata": .object(["labels": labels]),
                    "spec": .object([
                        "restartPolicy": "Never",
                        "initContainers": .array([
                            .object(["name": "fetch-datasets", "image": .string(helperImage), "command": ["sh", "-c", .string(prepare)],
                                     "env": .array([.object(["name": "MLEDGER_PARAMS_JSON", "value": .string(params)])]),
                                     "resources": helperResources, "volumeMounts": .array([work])]),
                            .object(["name": "train", "image": .string(image), "workingDir": "/work", "env": trainerEnv,
                                     "resources": resources, "volumeMounts": .array([work])]),
                        ]),
                        "containers": .array([
                            .object(["name": "upload-weights", "image": .string(helperImage), "command": ["sh", "-c", .string(upload)],
                                     "resources": helperResources, "volumeMounts": .array([work])]),
                        ]),
                        "volumes": .array([.object(["name": "work", "emptyDir": .object([:])])]),
                    ]),
                ]),
            ]),
        ])
    }
}

/// One request to the Kubernetes API server.
public struct KubernetesRequest: Sendable, Equatable {
    public var method: String
    /// Path and query, relative to the API server's base URL.
    public var target: String
    public var body: String?
}

/// Requests for a Job and the reading of its watch stream.
public enum KubernetesJobAPI {
    public static func create(_ spec: KubernetesJobSpec) -> KubernetesRequest {
        KubernetesRequest(method: "POST", target: "/apis/batch/v1/namespaces/\(spec.namespace)/jobs", body: spec.manifest.canonicalString)
    }

    /// A watch of this one Job from `resourceVersion` (the one `create` answered).
    public static func watch(_ spec: KubernetesJobSpec, resourceVersion: String) -> KubernetesRequest {
        KubernetesRequest(method: "GET", target: "/apis/batch/v1/namespaces/\(spec.namespace)/jobs?watch=true"
                            + "&fieldSelector=metadata.name%3D\(spec.name)&resourceVersion=\(resourceVersion)", body: nil)
    }

    /// Cancels: deletes the Job and, in the foreground, its pods.
    public static func delete(_ spec: KubernetesJobSpec) -> KubernetesRequest {
        KubernetesRequest(method: "DELETE", target: "/apis/batch/v1/namespaces/\(spec.namespace)/jobs/\(spec.name)?propagationPolicy=Foreground",
                          body: nil)
    }

    /// What a Job's status says.
    public enum Phase: Sendable, Equatable {
        case pending, running, succeeded
        case failed(String)
    }

    /// Reads one line of a watch stream (`{"type": ..., "object": Job}`): the Job's phase and
    /// its resourceVersion; nil for a line that is not a Job event (bookmarks, garbage).
    public static func phase(watchLine: String) -> (phase: Phase, resourceVersion: String?)? {
        guard let event = JSONValue.parse(Array(watchLine.utf8)), let type = event["type"]?.stringValue else { return nil }
        if type == "ERROR" { return (.failed(event["object"]?["message"]?.stringValue ?? "watch error"), nil) }
        guard let job = event["object"], job["kind"]?.stringValue == "Job" else { return nil }
        let version = job["metadata"]?["resourceVersion"]?.stringValue
        if type == "DELETED" { return (.failed("the Job was deleted"), version) }
        let status = job["status"]
        for condition in status?["conditions"]?.arrayValue ?? [] where condition["status"]?.stringValue == "True" {
            switch condition["type"]?.stringValue {
            case "Complete": return (.succeeded, version)
            case "Failed":
                let why = [condition["reason"]?.stringValue, condition["message"]?.stringValue].compactMap { $0 }.joined(separator: ": ")
                return (.failed(why.isEmpty ? "the Job failed" : why), version)
            default: continue
            }
        }
        if (status?["active"]?.intValue ?? 0) > 0 { return (.running, version) }
        return (.pending, version)
    }
}
