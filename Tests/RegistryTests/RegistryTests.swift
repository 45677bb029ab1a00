import Foundation
import Registry
import Testing

/// A registry in a fresh temporary directory, removed by the caller.
func temporaryRegistryDirectory() throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("registry-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

func sampleArtifact(_ key: String, size: Int64 = 10) -> ArtifactInfo {
    ArtifactInfo(objectKey: key, sizeBytes: size, keccak256: "0x" + String(repeating: "ab", count: 32),
                 chunkRoot: "0x" + String(repeating: "cd", count: 32), chunkLeaves: Data(repeating: 7, count: 32))
}

func sampleDataset(company: String = "acme", developer: String = "dev1", created: Date = Date(timeIntervalSince1970: 1_000),
                   artifact: ArtifactInfo? = nil) -> DatasetRow {
    DatasetRow(id: UUID(), company: company, developer: developer, contractAddress: "0x" + UUID().uuidString.replacingOccurrences(of: "-", with: ""),
               status: .finalized, created: created, artifact: artifact, sampleCount: 42,
               metadata: #"{"organization_id":"acme","samples_dimension":"(500,500)"}"#)
}

func sampleModel(company: String = "acme", developer: String = "dev1", dataset: UUID?, created: Date = Date(timeIntervalSince1970: 2_000),
                 status: RecordStatus = .registered) -> ModelRow {
    ModelRow(id: UUID(), company: company, developer: developer, contractAddress: "0x" + UUID().uuidString.replacingOccurrences(of: "-", with: ""),
             status: status, unverified: dataset == nil, created: created, datasetId: dataset, artifact: nil,
             metadata: #"{"model_params":{"train_image":"img"}}"#)
}

@Suite struct RegistryTests {
    @Test func migratesFromEmptyInWALMode() throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        #expect(try registry.appliedMigrations() == ["v1-datasets-models", "v2-posted-documents", "training-v1"])
        #expect(try registry.journalMode() == "wal")
        #expect(FileManager.default.fileExists(atPath: directory.appendingPathComponent("registry.sqlite").path))
    }

    @Test func datasetAndModelRoundTrip() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        let dataset = sampleDataset(artifact: sampleArtifact("datasets/a"))
        try await registry.insert(dataset)
        #expect(try await registry.dataset(id: dataset.id) == dataset)
        var model = sampleModel(dataset: dataset.id)
        try await registry.insert(model)
        #expect(try await registry.model(id: model.id) == model)
        #expect(try await registry.dataset(id: UUID()) == nil)

        let artifact = sampleArtifact("models/m", size: 99)
        try await registry.finalizeModel(id: model.id, artifact: artifact)
        model.status = .finalized
        model.artifact = artifact
        #expect(try await registry.model(id: model.id) == model)
        #expect(try await registry.objectKeys(company: "acme") == ["datasets/a", "models/m"])
        #expect(try await registry.objectKeys(company: "other") == [])
    }

    @Test func secondFinalizeIsAConflictAndChangesNothing() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        let model = sampleModel(dataset: nil)
        try await registry.insert(model)
        try await registry.finalizeModel(id: model.id, artifact: sampleArtifact("m1"))
        await #expect(throws: RegistryError.self) { try await registry.finalizeModel(id: model.id, artifact: sampleArtifact("m2")) }
        #expect(try await registry.model(id: model.id)?.artifact?.objectKey == "m1")
        await #expect(throws: RegistryError.notFound("model \(UUID(uuid: (0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1)).uuidString.lowercased())")) {
            try await registry.finalizeModel(id: UUID(uuid: (0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1)), artifact: sampleArtifact("m3"))
        }
    }

    @Test func unknownDatasetLinkIsRefused() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        let model = sampleModel(dataset: UUID())
        await #expect(throws: (any Error).self) { try await registry.insert(model) }
        #expect(try await registry.model(id: model.id) == nil)
    }

    @Test func failedTransactionRollsBackEveryWrite() async throws {
        struct Injected: Error {}
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        let dataset = sampleDataset()
        let model = sampleModel(dataset: dataset.id)
        await #expect(throws: Injected.self) {
            try await registry.transaction { tx in
                try tx.insert(dataset)
                try tx.insert(model)
                #expect(try tx.model(id: model.id) != nil)
                throw Injected()
            }
        }
        #expect(try await registry.dataset(id: dataset.id) == nil)
        #expect(try await registry.model(id: model.id) == nil)
        // A duplicate id fails the same way and leaves the first row as it was.
        try await registry.insert(dataset)
        var twin = sampleDataset()
        twin.id = dataset.id
        await #expect(throws: (any Error).self) { try await registry.insert(twin) }
        #expect(try await registry.dataset(id: dataset.id) == dataset)
    }

    @Test func filtersAndPagination() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        let d1 = sampleDataset(created: Date(timeIntervalSince1970: 10))
        let d2 = sampleDataset(developer: "dev2", created: Date(timeIntervalSince1970: 20))
        let foreign = sampleDataset(company: "globex", created: Date(timeIntervalSince1970: 30))
        for d in [d1, d2, foreign] { try await registry.insert(d) }
        #expect(try await registry.datasets(RegistryFilter(company: "acme")).map(\.id) == [d2.id, d1.id])
        #expect(try await registry.datasets(RegistryFilter(company: "acme", developer: "dev1")).map(\.id) == [d1.id])
        #expect(try await registry.datasets(RegistryFilter(company: "globex")).map(\.id) == [foreign.id])

        var models: [ModelRow] = []
        for i in 0..<7 {
            let m = sampleModel(developer: i % 2 == 0 ? "dev1" : "dev2", dataset: i < 4 ? d1.id : d2.id,
                                created: Date(timeIntervalSince1970: Double(100 + i)), status: i == 3 ? .finalized : .registered)
            models.append(m)
            try await registry.insert(m)
        }
        let all = RegistryFilter(company: "acme")
        let newestFirst = models.reversed().map(\.id)
        #expect(try await registry.models(all).map(\.id) == newestFirst)
        let page1 = try await registry.models(all, page: RegistryPage(limit: 3, offset: 0)).map(\.id)
        let page2 = try await registry.models(all, page: RegistryPage(limit: 3, offset: 3)).map(\.id)
        let page3 = try await registry.models(all, page: RegistryPage(limit: 3, offset: 6)).map(\.id)
        #expect(page1 + page2 + page3 == newestFirst)
        #expect(page3.count == 1)
        #expect(try await registry.models(RegistryFilter(company: "acme", status: .finalized)).map(\.id) == [models[3].id])
        #expect(try await registry.models(RegistryFilter(company: "acme", datasetId: d2.id)).map(\.id) == [models[6].id, models[5].id, models[4].id])
        #expect(try await registry.models(RegistryFilter(company: "acme", developer: "dev2", datasetId: d1.id)).map(\.id) == [models[3].id, models[1].id])
        #expect(try await registry.models(RegistryFilter(company: "globex")).isEmpty)
        #expect(RegistryPage(limit: 10_000).limit == RegistryPage.maxLimit)
    }

    @Test func reopenKeepsRowsAndDoesNotRemigrate() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dataset = sampleDataset(artifact: sampleArtifact("k"))
        do {
            let registry = try Registry(dataDirectory: directory)
            try await registry.insert(dataset)
        }
        let reopened = try Registry(dataDirectory: directory)
        #expect(try reopened.appliedMigrations() == ["v1-datasets-models", "v2-posted-documents", "training-v1"])
        #expect(try await reopened.dataset(id: dataset.id) == dataset)
    }
}

@Suite struct PendingObjectTests {
    @Test func rowThatReferencesAnObjectClearsItsPendingEntry() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        try await registry.addPendingObject(company: "acme", key: "datasets/a")
        try await registry.addPendingObject(company: "acme", key: "models/m")
        try await registry.addPendingObject(company: "acme", key: "models/orphan")
        try await registry.insert(sampleDataset(artifact: sampleArtifact("datasets/a")))
        let model = sampleModel(dataset: nil)
        try await registry.insert(model)
        #expect(try await registry.pendingObjects().map(\.key) == ["models/m", "models/orphan"])
        try await registry.finalizeModel(id: model.id, artifact: sampleArtifact("models/m"))
        #expect(try await registry.pendingObjects().map(\.key) == ["models/orphan"])
        try await registry.removePendingObject(company: "acme", key: "models/orphan")
        #expect(try await registry.pendingObjects().isEmpty)
    }

    @Test func failedInsertKeepsThePendingEntry() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        try await registry.addPendingObject(company: "acme", key: "models/x")
        var model = sampleModel(dataset: UUID())  // unknown dataset: the insert fails
        model.artifact = sampleArtifact("models/x")
        await #expect(throws: (any Error).self) { try await registry.insert(model) }
        #expect(try await registry.pendingObjects().map(\.key) == ["models/x"])
    }
}

@Suite struct PostedDocumentTests {
    @Test func documentsRoundTripByAddressInAnyCase() async throws {
        let directory = try temporaryRegistryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let registry = try Registry(dataDirectory: directory)
        let address = "0xAbCd000000000000000000000000000000000001"
        #expect(try await registry.postedDocument(contractAddress: address) == nil)
        try await registry.savePostedDocument(contractAddress: address, kind: "dataset", document: #"{"samples_dimension":"(500,500)"}"#)
        #expect(try await registry.postedDocument(contractAddress: address.lowercased()) == #"{"samples_dimension":"(500,500)"}"#)
        try await registry.savePostedDocument(contractAddress: address, kind: "dataset", document: "{}")
        #expect(try await registry.postedDocument(contractAddress: address) == "{}")
    }
}
