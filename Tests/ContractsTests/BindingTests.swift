import Contracts
import LedgerCrypto
import Primitives
import Testing

/// The typed bindings against the committed ABI: every function and event is bound, selectors
/// agree with the compiler's, and getters and events decode what the codec encodes.
struct BindingTests {
    let dataset = try! DatasetRecordBinding()  // embedded artifact, checked by ArtifactTests
    let model = try! ModelRecordBinding()

    static let alice = try! Address(hex: "0x1111111111111111111111111111111111111111")
    static let bob = try! Address(hex: "0x2222222222222222222222222222222222222222")
    static let h1 = Keccak256.hash(Array("one".utf8))
    static let h2 = Keccak256.hash(Array("two".utf8))

    static let content = DatasetContent(commitment: h1, sizeBytes: UInt256(63_938), sampleCount: UInt256(8_760),
                                        sampleShape: [UInt256(1)], schemaHash: h2)

    /// Call data of every binding entry point, by function name.
    func datasetCalls() throws -> [String: [UInt8]] {
        [
            "updateContent": try dataset.updateContent(Self.content),
            "setStatistics": try dataset.setStatistics(statsScale: UInt256(1_000_000), []),
            "finalize": try dataset.finalize(),
            "share": try dataset.share(Self.bob),
            "unshare": try dataset.unshare(Self.bob),
            "owner": try dataset.owner().data,
            "datasetId": try dataset.datasetId().data,
            "commitment": try dataset.commitment().data,
            "sizeBytes": try dataset.sizeBytes().data,
            "sampleCount": try dataset.sampleCount().data,
            "getSampleShape": try dataset.sampleShape().data,
            "statsScale": try dataset.statsScale().data,
            "getStatistics": try dataset.statistics().data,
            "schemaHash": try dataset.schemaHash().data,
            "finalized": try dataset.finalized().data,
            "createdBlock": try dataset.createdBlock().data,
            "sharedWith": try dataset.sharedWith(Self.bob).data,
            "canBeCitedBy": try dataset.canBeCitedBy(Self.bob).data,
        ]
    }

    func modelCalls() throws -> [String: [UInt8]] {
        [
            "finalize": try model.finalize(weightsHash: Self.h1, metricsHash: Self.h2),
            "owner": try model.owner().data, "modelId": try model.modelId().data,
            "developerId": try model.developerId().data, "backend": try model.backend().data,
            "architectureHash": try model.architectureHash().data, "hyperParameters": try model.hyperParameters().data,
            "hyperParametersHash": try model.hyperParametersHash().data, "getSeeds": try model.seeds().data,
            "trainingRecipe": try model.trainingRecipe().data, "getDatasets": try model.datasets().data,
            "getInputShape": try model.inputShape().data, "getOutputShape": try model.outputShape().data,
            "parameterCount": try model.parameterCount().data, "parent": try model.parent().data,
            "relation": try model.relation().data, "unverified": try model.unverified().data,
            "weightsHash": try model.weightsHash().data, "metricsHash": try model.metricsHash().data,
            "finalized": try model.finalized().data, "createdBlock": try model.createdBlock().data,
            "finalizeWithArtifact": try model.finalizeWithArtifact(weightsHash: Self.h1, metricsHash: Self.h2, artifactCommitment: Self.h1),
            "artifactCommitment": try model.artifactCommitment().data,
            "anchorRecipe": try model.anchorRecipe(hyperParameters: "{}", seeds: [UInt256(7)], trainingRecipe: "energy-gru"),
            "recipeAnchored": try model.recipeAnchored().data,
        ]
    }

    func checkCoverage(_ calls: [String: [UInt8]], _ artifact: ContractArtifact) {
        let abiNames = Set(artifact.abi.functions.map(\.name))
        #expect(Set(calls.keys) == abiNames, "functions without a binding: \(abiNames.subtracting(calls.keys))")
        // Every selector the compiler emitted is produced by exactly one binding call.
        let bound = Set(calls.values.map { Array($0.prefix(4)) })
        #expect(bound == Set(artifact.methodIdentifiers.values))
        for f in artifact.abi.functions {
            #expect(artifact.methodIdentifiers[f.signature] == f.selector, "\(f.signature)")
            #expect(calls[f.name].map { Array($0.prefix(4)) } == f.selector)
        }
    }

    @Test func everyDatasetRecordFunctionIsBound() throws { checkCoverage(try datasetCalls(), dataset.artifact) }
    @Test func everyModelRecordFunctionIsBound() throws { checkCoverage(try modelCalls(), model.artifact) }

    @Test func knownSelectorsFromSignatures() throws {
        #expect(Hex.encode(try dataset.finalize()) == Hex.encode(ABIFunction.selector(of: "finalize()")))
        #expect(Array(try model.finalize(weightsHash: Self.h1, metricsHash: Self.h2).prefix(4))
                == ABIFunction.selector(of: "finalize(bytes32,bytes32)"))
        #expect(Array(try model.finalizeWithArtifact(weightsHash: Self.h1, metricsHash: Self.h2, artifactCommitment: Self.h2).prefix(4))
                == ABIFunction.selector(of: "finalizeWithArtifact(bytes32,bytes32,bytes32)"))
        #expect(Array(try dataset.setStatistics(statsScale: .one, []).prefix(4))
                == ABIFunction.selector(of: "setStatistics(uint256,(uint256,int256,int256,int256,int256)[])"))
    }

    @Test func datasetDeployDataIsInitCodeThenArguments() throws {
        let data = try dataset.deployData(datasetId: "pv-greensboro", content: Self.content)
        let initCode = dataset.artifact.initCode
        #expect(Array(data.prefix(initCode.count)) == initCode)
        let args = try ABIDecoder.decode(dataset.artifact.abi.constructor.inputs.map(\.type), from: Array(data.dropFirst(initCode.count)))
        #expect(args == [.string("pv-greensboro"), .hash(Self.h1), .number(63_938), .number(8_760), .array([.number(1)]), .hash(Self.h2)])
    }

    @Test func modelDeployDataCarriesEveryField() throws {
        let registration = ModelRegistration(
            modelId: "m1", developerId: "dev", backend: "mledger/safetensors", architectureHash: Self.h1,
            hyperParameters: #"{"lr":0.001}"#, seeds: [UInt256(42)], trainingRecipe: "builtin:gru",
            datasets: [Self.alice], inputShape: [UInt256(24), UInt256(1)], outputShape: [UInt256(1)],
            parameterCount: UInt256(1234), parent: Self.bob, relation: .fineTunedFrom, unverified: false)
        let data = try model.deployData(registration)
        let initCode = model.artifact.initCode
        let args = try ABIDecoder.decode(model.artifact.abi.constructor.inputs.map(\.type), from: Array(data.dropFirst(initCode.count)))
        #expect(args.count == 14)
        #expect(args[4] == .string(#"{"lr":0.001}"#))
        #expect(args[7] == .array([.address(Self.alice)]))
        #expect(args[11] == .address(Self.bob))
        #expect(args[12] == .number(2))
    }

    @Test func gettersDecodeReturnData() throws {
        #expect(try dataset.owner().decode(ABIEncoder.encode([.address(Self.alice)], as: [.address])) == Self.alice)
        #expect(try dataset.datasetId().decode(ABIEncoder.encode([.string("d")], as: [.string])) == "d")
        #expect(try dataset.sampleShape().decode(ABIEncoder.encode([.array([.number(3), .number(4)])], as: [.array(.uint(256))]))
                == [UInt256(3), UInt256(4)])
        let stats = FeatureStatistics(count: UInt256(10), mean: UInt256(signExtending: -5), variance: UInt256(7),
                                      minimum: UInt256(signExtending: -9), maximum: UInt256(3))
        let statsType = try ABIType(parsing: "(uint256,int256,int256,int256,int256)[]")
        let statsData = try ABIEncoder.encode([.array([.tuple([.uint(stats.count), .int(stats.mean), .int(stats.variance),
                                                               .int(stats.minimum), .int(stats.maximum)])])], as: [statsType])
        #expect(try dataset.statistics().decode(statsData) == [stats])
        #expect(try model.relation().decode(ABIEncoder.encode([.number(3)], as: [.uint(8)])) == .onlineSnapshotOf)
        #expect(throws: ABIError.self) { try model.relation().decode(ABIEncoder.encode([.number(4)], as: [.uint(8)])) }
        // A bool getter rejects a dirty word rather than guessing.
        #expect(throws: ABIError.invalidBool(at: 0)) { try dataset.finalized().decode(ABIEncoder.encode([.number(2)], as: [.uint(256)])) }
    }

    func log(_ event: ABIEvent, _ values: [ABIValue]) throws -> (topics: [Hash32], data: [UInt8]) {
        var topics = [event.topic0]
        var dataValues: [ABIValue] = [], dataTypes: [ABIType] = []
        for (input, value) in zip(event.inputs, values) {
            if input.indexed { topics.append(try ABIEvent.topic(for: value, as: input.type)) } else {
                dataValues.append(value)
                dataTypes.append(input.type)
            }
        }
        return (topics, try ABIEncoder.encode(dataValues, as: dataTypes))
    }

    @Test func everyDatasetRecordEventDecodes() throws {
        let abi = dataset.artifact.abi
        let cases: [(String, [ABIValue], DatasetRecordEvent)] = [
            ("DatasetRegistered", [.address(Self.alice), .string("d1"), .hash(Self.h1)],
             .registered(owner: Self.alice, datasetId: "d1", commitment: Self.h1)),
            ("ContentUpdated", [.hash(Self.h1), .number(63_938), .number(8_760), .array([.number(1)]), .hash(Self.h2)],
             .contentUpdated(Self.content)),
            ("StatisticsUpdated", [.number(1_000_000), .number(1)], .statisticsUpdated(statsScale: UInt256(1_000_000), featureCount: .one)),
            ("DatasetFinalized", [.address(Self.alice), .hash(Self.h1)], .finalized(owner: Self.alice, commitment: Self.h1)),
            ("SharingChanged", [.address(Self.bob), .bool(true)], .sharingChanged(grantee: Self.bob, shared: true)),
        ]
        #expect(Set(cases.map(\.0)) == Set(abi.events.map(\.name)))
        for (name, values, expected) in cases {
            let (topics, data) = try log(try abi.event(name), values)
            #expect(try dataset.decodeEvent(topics: topics, data: data) == expected)
        }
    }

    @Test func everyModelRecordEventDecodes() throws {
        let abi = model.artifact.abi
        let cases: [(String, [ABIValue], ModelRecordEvent)] = [
            ("ModelRegistered", [.address(Self.alice), .address(Self.bob), .string("m"), .number(1), .bool(true),
                                 .hash(Self.h1), .hash(Self.h2), .array([.address(Self.alice)])],
             .registered(owner: Self.alice, parent: Self.bob, modelId: "m", relation: .translatedFrom, unverified: true,
                         architectureHash: Self.h1, hyperParametersHash: Self.h2, datasets: [Self.alice])),
            ("ModelFinalized", [.address(Self.alice), .hash(Self.h1), .hash(Self.h2)],
             .finalized(owner: Self.alice, weightsHash: Self.h1, metricsHash: Self.h2)),
            ("RecipeAnchored", [.address(Self.alice), .hash(Self.h1), .array([.uint(UInt256(7))]), .string("energy-gru")],
             .recipeAnchored(owner: Self.alice, hyperParametersHash: Self.h1, seeds: [UInt256(7)], trainingRecipe: "energy-gru")),
        ]
        #expect(Set(cases.map(\.0)) == Set(abi.events.map(\.name)))
        for (name, values, expected) in cases {
            let (topics, data) = try log(try abi.event(name), values)
            #expect(try model.decodeEvent(topics: topics, data: data) == expected)
        }
        // A log of another contract, or with a topic missing, is an error.
        let (topics, data) = try log(try abi.event("ModelFinalized"), [.address(Self.alice), .hash(Self.h1), .hash(Self.h2)])
        #expect(throws: ABIError.self) { try dataset.decodeEvent(topics: topics, data: data) }
        #expect(throws: ABIError.self) { try model.decodeEvent(topics: Array(topics.prefix(1)), data: data) }
    }
}
