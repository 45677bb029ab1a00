import Chain
import Foundation
import Primitives
import Testing

/// ethereum-tests KeyStoreTests: every case's `json` must decrypt with `password` to `priv`.
/// scrypt at n = 2^18 is heavy; run with `swift test -c release --filter KeyStore`.
@Test func keyStoreConformance() throws {
    var tally = ConformanceTally("KeyStoreTests")
    let files = ConformanceData.jsonFiles(under: "KeyStoreTests")
    #expect(!files.isEmpty, "no KeyStoreTests vectors under \(ConformanceData.root.path)")
    for file in files {
        guard let cases = try ConformanceData.loadJSON(file) as? [String: Any] else {
            tally.check(file.lastPathComponent, false, "file is not a JSON object")
            continue
        }
        for (name, value) in cases.sorted(by: { $0.key < $1.key }) {
            let label = "\(file.lastPathComponent):\(name)"
            guard let testCase = value as? [String: Any], let keyFile = testCase["json"],
                  let password = testCase["password"] as? String, let priv = testCase["priv"] as? String,
                  let expected = try? Hex.decode(priv) else {
                tally.check(label, false, "case lacks json/password/priv")
                continue
            }
            do {
                let json = try JSONSerialization.data(withJSONObject: keyFile)
                let key = try Keystore.decrypt(json: json, passphrase: password)
                tally.check(label, key.privateKey == expected, "decrypted to a different key")
            } catch {
                tally.check(label, false, "\(error)")
            }
        }
    }
    tally.printSummary()
    tally.expectAtLeast(ConformanceFloor.keyStore)
    #expect(tally.failures.isEmpty)
}
