import AsyncHTTPClient
import NIOCore
import Testing
import ObjectStore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What only the S3 store has: per-company keys, their reach, and where they are kept. Runs
/// against the SeaweedFS of tools/with-seaweedfs; fails without it unless MLEDGER_SKIP_S3=1.
@Suite(.enabled(if: environment("MLEDGER_SKIP_S3") != "1"))
struct S3ObjectStoreTests {
    @Test func companyKeysReachOnlyTheirOwnBucket() async throws {
        let env = try S3Environment.current()
        let file = makeTemporaryDirectory() + "/s3-credentials.json"
        let keys = try NodeS3Credentials(file: file, provisioner: SeaweedFSFilerProvisioner(filerURL: env.filer))
        let store = S3ObjectStore(endpoint: env.endpoint, admin: env.admin, credentials: keys)
        let mine = try ObjectLocation(company: "scope-a-\(randomHex(3))", key: "models/m/weights.bin")
        let theirs = try ObjectLocation(company: "scope-b-\(randomHex(3))", key: "models/m/weights.bin")
        try await put(store, mine, [1, 2, 3])
        try await put(store, theirs, [4, 5, 6])

        let myKeys = try #require(try await keys.credentials(for: mine.company, create: false))
        let theirKeys = try #require(try await keys.credentials(for: theirs.company, create: false))
        #expect(myKeys.accessKey != theirKeys.accessKey && myKeys.secretKey != theirKeys.secretKey)
        #expect(myKeys.accessKey != env.admin.accessKey)

        let client = S3Client(endpoint: env.endpoint, http: .shared)
        func status(_ location: ObjectLocation, _ credentials: S3Credentials) async throws -> UInt {
            let response = try await client.send(.GET, path: try S3ObjectStore.path(location), credentials: credentials,
                                                 deadline: .now() + .seconds(30), operation: "GetObject")
            _ = try await response.body.collect(upTo: 1 << 20)
            return response.status.code
        }
        #expect(try await status(mine, myKeys) == 200)
        #expect(try await status(theirs, theirKeys) == 200)
        #expect(try await status(theirs, myKeys) == 403)
        #expect(try await status(mine, theirKeys) == 403)
        // The objects are real S3 objects in the company's bucket, readable with the admin keys.
        #expect(try await status(mine, env.admin) == 200)
        try await store.delete(mine)
        try await store.delete(theirs)
    }

    @Test func credentialsFileIsPrivateAndSurvivesARestart() async throws {
        let env = try S3Environment.current()
        let file = makeTemporaryDirectory() + "/s3-credentials.json"
        let keys = try NodeS3Credentials(file: file, provisioner: SeaweedFSFilerProvisioner(filerURL: env.filer))
        let company = "restart-\(randomHex(3))"
        #expect(try await keys.credentials(for: company, create: false) == nil)
        let made = try #require(try await keys.credentials(for: company, create: true))
        var info = stat()
        #expect(stat(file, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let reloaded = try NodeS3Credentials(file: file, provisioner: NoProvisioning())
        #expect(try await reloaded.credentials(for: company, create: false) == made)
        // A server whose identities an operator makes: no keys are invented.
        await #expect(throws: ObjectStoreError.self) { _ = try await reloaded.credentials(for: "other-\(randomHex(3))", create: true) }
        // A key file others can read is refused.
        chmod(file, 0o644)
        #expect(throws: ObjectStoreError.self) { _ = try NodeS3Credentials(file: file, provisioner: NoProvisioning()) }
    }

    @Test func errorsNeverCarrySecrets() async throws {
        let env = try S3Environment.current()
        let secret = "not-the-admin-secret-\(randomHex(8))"
        let file = makeTemporaryDirectory() + "/s3-credentials.json"
        let keys = try NodeS3Credentials(file: file, provisioner: SeaweedFSFilerProvisioner(filerURL: env.filer))
        let store = S3ObjectStore(endpoint: env.endpoint, admin: S3Credentials(accessKey: env.admin.accessKey, secretKey: secret),
                                  credentials: keys)
        let location = try ObjectLocation(company: "badkeys-\(randomHex(3))", key: "x")
        do {
            _ = try await store.beginUpload(location)
            Issue.record("CreateBucket with a wrong secret succeeded")
        } catch {
            let text = "\(error)" + String(reflecting: error)
            #expect(text.contains("SignatureDoesNotMatch"), "\(text)")
            #expect(!text.contains(secret))
            let companyKeys = try #require(try await keys.credentials(for: location.company, create: false))
            #expect(!text.contains(companyKeys.secretKey))
        }
    }

    @Test func configurationFromTheEnvironment() throws {
        let env = try S3Environment.current()
        let configuration = try ObjectStoreConfiguration.fromEnvironment()
        guard case .s3(let settings) = configuration else {
            Issue.record("MLEDGER_S3_ENDPOINT is set, yet the configuration is \(configuration)")
            return
        }
        #expect(settings.endpoint == env.endpoint && settings.admin == env.admin && settings.seaweedFSFiler == env.filer)
        #expect(!"\(configuration)".contains(env.admin.secretKey))
        #expect(!String(reflecting: settings).contains(env.admin.secretKey))
    }
}

/// The S3 parts that need no server.
struct S3OfflineTests {
    @Test func seaweedIdentitiesLimitEachCompanyToItsBucket() throws {
        let json = String(decoding: SeaweedFSIdentities.render(
            admin: S3Credentials(accessKey: "ADMIN", secretKey: "admin-secret"),
            companies: ["acme": S3Credentials(accessKey: "ACME", secretKey: "acme-secret")]), as: UTF8.self)
        #expect(json.contains("\"Read:mledger-acme\"") && json.contains("\"Write:mledger-acme\"") && json.contains("\"List:mledger-acme\""))
        #expect(json.contains("\"Admin\""))
        #expect(json.contains("\"accessKey\" : \"ACME\"") || json.contains("\"accessKey\":\"ACME\""))
        let filer = String(decoding: SeaweedFSIdentities.filerIdentity(
            company: "acme", credentials: S3Credentials(accessKey: "ACME", secretKey: "acme-secret")), as: UTF8.self)
        #expect(filer.contains("\"access_key\"") && filer.contains("\"name\" : \"mledger-acme\""))
        #expect(filer.contains("\"Read:mledger-acme\""))
    }

    @Test func endpointParsing() throws {
        let endpoint = try S3Endpoint("http://127.0.0.1:8333")
        #expect(endpoint.host == "127.0.0.1" && endpoint.port == 8333 && endpoint.hostHeader == "127.0.0.1:8333")
        #expect(try S3Endpoint("https://s3.example.com/").hostHeader == "s3.example.com")
        #expect(throws: ObjectStoreError.self) { try S3Endpoint("ftp://x") }
        #expect(throws: ObjectStoreError.self) { try S3Endpoint("http://x/path") }
        #expect(throws: ObjectStoreError.self) { try S3ObjectStore.bucket(String(repeating: "a", count: 56)) }
        #expect(try S3ObjectStore.bucket(String(repeating: "a", count: 55)).count == 63)
    }

    actor CountingProvisioner: S3IdentityProvisioner {
        var calls: [String] = []
        func provision(company: String, credentials: S3Credentials) async throws {
            calls.append(company)
            try await Task.sleep(nanoseconds: 5_000_000)  // let other creations overlap
        }
    }

    /// Keys made for many companies at once all end up in the file, one pair each.
    @Test func concurrentCreationsKeepEveryCompany() async throws {
        let file = makeTemporaryDirectory() + "/s3-credentials.json"
        let provisioner = CountingProvisioner()
        let keys = try NodeS3Credentials(file: file, provisioner: provisioner)
        let companies = (0..<8).map { "co-\($0)" } + ["co-0", "co-1"]  // two asked twice
        let made = try await withThrowingTaskGroup(of: (String, S3Credentials).self) { group in
            for company in companies {
                group.addTask { (company, try await keys.credentials(for: company, create: true)!) }
            }
            return try await group.reduce(into: [String: [S3Credentials]]()) { $0[$1.0, default: []].append($1.1) }
        }
        #expect(made.count == 8)
        for (_, pairs) in made { #expect(Set(pairs).count == 1) }  // one pair per company
        #expect(await provisioner.calls.count == 8)
        #expect(Set(await provisioner.calls).count == 8)
        let reloaded = try NodeS3Credentials(file: file, provisioner: NoProvisioning())
        #expect(await reloaded.all().count == 8)
    }
}
