// swift-tools-version:6.0
// MLedger: a private, gas-free, single-member Ethereum-compatible ledger with ML services.
// Module map and dependency directions: see README.md ("Layout") and DESIGN.md.
import PackageDescription

// Language mode 5, complete concurrency checking off for now: the numeric cores
// (EVM, tensors) are single-threaded value code, and the services that need strict Sendable
// checking arrive with the node issue. Decision recorded in README.md.
let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

// The numeric cores (UInt256, Keccak, trie, EVM, tensors) are optimised in debug builds too:
// unoptimised they run the conformance and training suites 10-50x slower, and
// `swift test --filter Conformance` must stay quick without `-c release`.
let numericSettings: [SwiftSetting] = swiftSettings + [
    .unsafeFlags(["-O"], .when(configuration: .debug)),
]

// AVX2 code generation for MLWideKernels on x86-64 hosts (elsewhere the target is plain code
// that the CPU check never selects).
#if arch(x86_64)
let wideKernelSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2"])]
let keccakWideSettings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx512f", "-Xcc", "-mavx512vl"])]
let mlAVX512Settings: [SwiftSetting] = [.unsafeFlags(["-Xcc", "-mavx2", "-Xcc", "-mavx512f"])]  // ML's AVX-512 matrix kernel
#else
let wideKernelSettings: [SwiftSetting] = []
let keccakWideSettings: [SwiftSetting] = []
let mlAVX512Settings: [SwiftSetting] = []  // ML's AVX-512 matrix kernel
#endif

// Streams (online learning's inputs): MQTT over Debian's libmosquitto, Kafka's wire protocol
// over SwiftNIO (gzip through Debian's zlib), and StreamSources on top of both: one message
// type, source URLs, and the simulator's readings.
let streamsTargets: [Target] = [
    .systemLibrary(name: "CMosquitto", pkgConfig: "libmosquitto", providers: [.apt(["libmosquitto-dev"])]),
    .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
    .target(name: "MQTT", dependencies: ["CMosquitto"], exclude: ["README.md"], swiftSettings: swiftSettings),
    .target(name: "Kafka", dependencies: [
        "CZlib",
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
    ], exclude: ["README.md"], swiftSettings: swiftSettings),
    .target(name: "StreamSources", dependencies: [
        "MQTT", "Kafka",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
    ], exclude: ["README.md"], swiftSettings: swiftSettings),
    .testTarget(name: "MQTTTests", dependencies: ["MQTT", "MLedgerTesting"]),
    .testTarget(name: "KafkaTests", dependencies: ["Kafka", "MLedgerTesting"]),
    .testTarget(name: "StreamSourcesTests", dependencies: ["StreamSources", "MQTT", "Kafka", "MLedgerTesting"]),
]
let streamsProgramDependencies: [Target.Dependency] = ["StreamSources", "MQTT", "Kafka"]
let streamsBenchDependencies: [Target.Dependency] = streamsProgramDependencies + ["MLedgerTesting"]  // brokers it starts

let package = Package(
    name: "MLedger",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mledger", targets: ["MLedgerCLI"]),
        .executable(name: "mledger-bench", targets: ["MLedgerBench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-websocket", from: "2.8.1"),
        // Auth's JOSE: vapor/jwt-kit (JWS, JWK sets) over swift-crypto (its Crypto/CryptoExtras,
        // used directly by Auth too). MLedger's own hashing module is LedgerCrypto, so that
        // swift-crypto's `Crypto` needs no module alias anywhere (jwt-kit's target would not get one).
        .package(url: "https://github.com/apple/swift-crypto", "4.1.0"..<"6.0.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.8.0"),
        // Registry (SQLite on Debian's libsqlite3).
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        // S3 object store: streaming request and response bodies over HTTP/1.1.
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        // Already reached through Hummingbird; named for the file store's blocking-I/O thread pool.
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.81.0"),
        // /metrics of the REST API: counters and histograms in the Prometheus text format.
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // ONNX translation: the runtime of the committed generated protobuf code (tools/generate-onnx-proto).
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
    ],
    targets: [
        // C libraries from Debian, linked as system libraries (no vendored C).
        .systemLibrary(name: "CSecp256k1", pkgConfig: "libsecp256k1",
                       providers: [.apt(["libsecp256k1-dev"])]),
        .systemLibrary(name: "CLevelDB", providers: [.apt(["libleveldb-dev"])]),
        .systemLibrary(name: "COpenSSL", pkgConfig: "openssl", providers: [.apt(["libssl-dev"])]),

        // Ledger spine, bottom up.
        .target(name: "Primitives", exclude: ["README.md"], swiftSettings: numericSettings),
        .target(name: "LedgerCrypto", dependencies: ["Primitives", "CSecp256k1", "COpenSSL", "KeccakWide"], exclude: ["README.md"],
                swiftSettings: numericSettings),
        // Four-way Keccak-256 for chunk leaves: compiled for AVX-512 (F + VL: vector rotates),
        // called only after a CPU check.
        .target(name: "KeccakWide", exclude: ["README.md"], swiftSettings: numericSettings + keccakWideSettings),
        .target(name: "RLP", dependencies: ["Primitives"], swiftSettings: numericSettings),
        .target(name: "Storage", dependencies: ["CLevelDB"], swiftSettings: swiftSettings),
        .target(name: "Trie", dependencies: ["Primitives", "LedgerCrypto", "RLP", "Storage"],
                swiftSettings: numericSettings),
        .target(name: "EVM", dependencies: ["Primitives", "LedgerCrypto", "RLP", "Trie", "COpenSSL"], exclude: ["README.md"],
                swiftSettings: numericSettings),
        .target(name: "Chain", dependencies: ["Primitives", "LedgerCrypto", "RLP", "Trie", "Storage", "COpenSSL"],
                swiftSettings: swiftSettings),

        // JSON-RPC server (HTTP and WebSocket) and the node's composition root.
        .target(name: "RPC", dependencies: [
            "Primitives", "LedgerCrypto", "RLP", "Chain",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdWebSocket", package: "hummingbird-websocket"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Node", dependencies: ["Primitives", "LedgerCrypto", "RLP", "Trie", "Chain", "Storage", "RPC", "EVM", "Contracts", "LedgerClient"],
                exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "LedgerClient", dependencies: ["Primitives", "LedgerCrypto", "RLP", "Chain", "RPC"],
                exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Contracts", dependencies: ["Primitives", "LedgerCrypto"], exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(name: "Datasets", dependencies: ["Primitives", "LedgerCrypto"], exclude: ["README.md"], swiftSettings: numericSettings),
        .target(name: "Audit", dependencies: ["LedgerClient", "Contracts", "Datasets", "Chain", "LedgerCrypto", "Primitives", "RLP", "Trie"],
                exclude: ["README.md"], swiftSettings: swiftSettings),

        // Verification REST service (issue 6): contract records over LedgerClient and the bindings.
        .target(name: "Verification", dependencies: [
            "LedgerClient", "Contracts", "Chain", "LedgerCrypto", "Primitives", "RPC", "Registry",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Object storage for model files (file system or S3); knows nothing of the ledger.
        // SigV4's SHA-256 and HMAC come from OpenSSL directly (COpenSSL).
        .target(name: "ObjectStore", dependencies: [
            "COpenSSL",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Registry (issue 10): the services' SQLite index of datasets and models; knows nothing of the ledger.
        .target(name: "Registry", dependencies: [.product(name: "GRDB", package: "GRDB.swift")],
                exclude: ["README.md"], swiftSettings: swiftSettings),

        // Model sharing (issue 10): datasets and models with their files, anchored, indexed and
        // served after their bytes check out against the chain. Mounts the verification routes.
        .target(name: "ModelSharing", dependencies: [
            "Registry", "ObjectStore", "Verification", "LedgerClient", "Contracts", "Datasets", "LedgerCrypto", "Primitives", "RPC", "Auth",
            "Chain",  // SecretBox seals the object store's secret files
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Training service (issue 12): jobs for registered models, recipes anchored before the
        // first step, built-in and process executors, `reproduce`.
        .target(name: "Training", dependencies: [
            "ML", "ModelSharing", "Registry", "ObjectStore", "LedgerClient", "Contracts", "Datasets", "LedgerCrypto", "Primitives",
            "Chain", "RPC",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Auth (issue 11): bearer tokens (JWS and JWK sets by vapor/jwt-kit under MLedger's own
        // policy, OIDC discovery, JWKS cache, dev issuer), roles, limits, audit lines; knows
        // nothing of HTTP routing or the ledger.
        .target(name: "Auth", dependencies: [
            "Primitives",
            .product(name: "JWTKit", package: "jwt-kit"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Online learning (issue 14): readings → hourly power → continuously trained energy-gru,
        // snapshots anchored through model sharing, KServe-compatible inference with receipts.
        .target(name: "OnlineLearning", dependencies: [
            "ML", "ModelSharing", "Registry", "ObjectStore", "LedgerClient", "Contracts", "LedgerCrypto", "Primitives",
            "Diagnostics", "StreamSources",  // the explainer, diagnostics and stream plug-ins
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),
        .testTarget(name: "OnlineLearningTests", dependencies: [
            "OnlineLearning", "ModelSharing", "ML", "Registry", "ObjectStore", "Verification", "LedgerClient", "Contracts", "Chain",
            "LedgerCrypto", "Primitives", "Node", "RPC", "Diagnostics", "DevStack",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        // End of online learning.

        // ML engine: knows nothing of the ledger.
        .target(name: "ML", dependencies: ["Primitives", "MLWideKernels", "MLWideKernels512"], exclude: ["README.md"], swiftSettings: numericSettings),
        // The ML engine's AVX2 matrix kernel: the only target compiled for AVX2, called only after
        // a CPU check (ML's CPUFeatures), with the same arithmetic as the baseline kernel.
        .target(name: "MLWideKernels", swiftSettings: numericSettings + wideKernelSettings),
        // Its AVX-512 matrix kernel (same arithmetic again), compiled for AVX-512F alone.
        .target(name: "MLWideKernels512", exclude: ["README.md"], swiftSettings: numericSettings + mlAVX512Settings),

        // ONNX translation (issue 13): the ONNX protobuf types, MLedger's own ONNX evaluator, export
        // and import of native models, PyTorch checkpoints, equivalence certificates; and the
        // REST route and registration of translated models over model sharing.
        .target(name: "ONNX", dependencies: [
            "ML", "Primitives", "LedgerCrypto",
            .product(name: "SwiftProtobuf", package: "swift-protobuf"),
        ], exclude: ["README.md"], swiftSettings: numericSettings),
        .target(name: "Translation", dependencies: [
            "ONNX", "ModelSharing", "ML", "Registry", "ObjectStore", "Contracts", "LedgerCrypto", "Primitives",
            .product(name: "Hummingbird", package: "hummingbird"),
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Programs.
        .executableTarget(name: "MLedgerCLI", dependencies: [
            "Primitives", "LedgerCrypto", "RLP", "Storage", "Trie", "EVM", "Chain", "ML", "Contracts", "Datasets", "RPC", "Node",
            "LedgerClient", "Audit", "Verification", "ModelSharing", "Registry", "ObjectStore",
            "Diagnostics", "Plot",
            "ONNX", "Translation",
            "Training",  // training service, `reproduce`, `audit --retrain`
            "Auth",  // `mledger token`, --auth
            "OnlineLearning",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ] + streamsProgramDependencies, swiftSettings: swiftSettings),
        .executableTarget(name: "MLedgerBench", dependencies: [
            "Primitives", "LedgerCrypto", "RLP", "Storage", "Trie", "EVM", "Chain", "ML", "COpenSSL", "CSecp256k1", "Contracts", "Datasets",
            "LedgerClient", "Node", "RPC", "Audit", "ModelSharing", "Registry", "ObjectStore", "Verification",
            "ONNX",
            "Training",  // `mledger-bench training`
            "Auth",  // `mledger-bench auth`
            "OnlineLearning",  // `mledger-bench ol-serve`
            "DevStack",  // the REST benchmarks' in-process node
        ] + streamsBenchDependencies, swiftSettings: swiftSettings),

        // Helpers shared by the test targets (seeded generators).
        .target(name: "MLedgerTesting", path: "Sources/MLedgerTesting"),
        // A throw-away dev chain with model sharing over it, for the service tests and benchmarks.
        .target(name: "DevStack", dependencies: [
            "ModelSharing", "Verification", "Registry", "ObjectStore", "LedgerClient", "Node", "Chain",
            .product(name: "Hummingbird", package: "hummingbird"),  // brings swift-log
        ], exclude: ["README.md"], swiftSettings: swiftSettings),

        // Tests: one target per module, plus the shared conformance vectors.
        .testTarget(name: "PrimitivesTests", dependencies: ["MLedgerTesting", "Primitives"]),
        .testTarget(name: "LedgerCryptoTests", dependencies: ["LedgerCrypto", "KeccakWide", "Primitives"]),
        .testTarget(name: "RLPTests", dependencies: ["MLedgerTesting", "RLP", "Primitives"]),
        .testTarget(name: "StorageTests", dependencies: ["Storage"]),
        .testTarget(name: "TrieTests", dependencies: ["MLedgerTesting", "Trie", "Storage", "LedgerCrypto", "RLP", "Primitives"]),
        .testTarget(name: "EVMTests", dependencies: ["MLedgerTesting", "EVM", "Trie", "LedgerCrypto", "RLP", "Primitives"]),
        .testTarget(name: "ChainTests", dependencies: ["MLedgerTesting", "Chain", "LedgerCrypto", "RLP", "Primitives", "Storage", "Trie"]),
        .testTarget(name: "RPCTests", dependencies: [
            "MLedgerTesting",
            "RPC", "Node", "Chain", "LedgerCrypto", "RLP", "Primitives", "Storage", "Trie",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "HummingbirdWSClient", package: "hummingbird-websocket"),
        ]),
        .testTarget(name: "NodeTests", dependencies: ["Node", "RPC", "Chain", "EVM", "LedgerCrypto", "Primitives", "LedgerClient"]),
        .testTarget(name: "ContractsTests", dependencies: ["MLedgerTesting", "Contracts", "LedgerCrypto", "Primitives"]),
        .testTarget(name: "DatasetsTests", dependencies: ["MLedgerTesting", "Datasets", "LedgerCrypto", "Primitives"]),
        .testTarget(name: "AuditTests", dependencies: [
            "Audit", "LedgerClient", "Node", "RPC", "Chain", "Contracts", "Datasets", "LedgerCrypto", "Primitives", "RLP", "Trie",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),
        .testTarget(name: "VerificationTests", dependencies: [
            "Verification", "LedgerClient", "Contracts", "Chain", "LedgerCrypto", "Primitives", "Node", "RPC", "Registry",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
        ]),
        .testTarget(name: "RegistryTests", dependencies: ["Registry"]),
        .testTarget(name: "ModelSharingTests", dependencies: [
            "MLedgerTesting", "ModelSharing", "Registry", "ObjectStore", "Verification", "LedgerClient", "Contracts", "Datasets", "Chain", "LedgerCrypto",
            "Primitives", "Node", "RPC", "DevStack",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(name: "ObjectStoreTests", dependencies: [
            "ObjectStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
        ]),
        .testTarget(name: "MLTests", dependencies: ["ML", "MLWideKernels", "MLWideKernels512", "Primitives", "MLedgerTesting"], resources: [.copy("Fixtures")]),
        .testTarget(name: "ONNXTests", dependencies: ["ONNX", "ML", "Primitives", "LedgerCrypto"], resources: [.copy("Fixtures")]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "ML", "Primitives", "Registry"]),
        .testTarget(name: "AuthTests", dependencies: [
            "Auth", "ModelSharing",
            .product(name: "JWTKit", package: "jwt-kit"),  // jwt-kit alone, beside MLedger's policy
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "CryptoExtras", package: "swift-crypto"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ]),
        .testTarget(name: "ConformanceTests", dependencies: [
            "Primitives", "LedgerCrypto", "RLP", "Storage", "Trie", "EVM", "Chain",
        ]),

        // Analysis libraries (issue 14): normality diagnostics and PNG charts, each on Foundation
        // alone; DeepLIFT lives in ML (Sources/ML/Explain).
        .target(name: "Diagnostics", exclude: ["README.md"], swiftSettings: numericSettings),
        .target(name: "Plot", exclude: ["README.md"], swiftSettings: numericSettings),
        .testTarget(name: "DiagnosticsTests", dependencies: ["Diagnostics"], resources: [.copy("Fixtures")]),
        .testTarget(name: "PlotTests", dependencies: ["Plot"]),
    ] + streamsTargets,
    swiftLanguageModes: [.v5]
)
