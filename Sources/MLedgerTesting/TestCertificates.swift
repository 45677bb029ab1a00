import Foundation

/// A throw-away certificate authority with a server certificate for 127.0.0.1 and a client
/// certificate, made by the `openssl` command line (Debian's openssl package) in a temporary
/// directory: what the TLS tests start a broker with. P-256 keys, valid for two days.
public struct TestCertificates: Sendable {
    public let directory: URL
    public var caFile: String { path("ca.crt") }
    public var serverCertificate: String { path("server.crt") }
    public var serverKey: String { path("server.key") }
    public var clientCertificate: String { path("client.crt") }
    public var clientKey: String { path("client.key") }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A fresh authority named `name` (two calls give two unrelated authorities).
    public init(name: String = "MLedger test CA") throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("mledger-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = try BrokerProcess.locate(["openssl"])
        let curve = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
        try run(openssl, ["req", "-x509"] + curve + ["-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=\(name)"])
        // The broker is reached as 127.0.0.1: the name check needs it as an IP subjectAltName.
        try "subjectAltName=IP:127.0.0.1,DNS:localhost\n".write(to: directory.appendingPathComponent("server.ext"), atomically: true, encoding: .utf8)
        for (role, extensions) in [("server", ["-extfile", "server.ext"]), ("client", [])] {
            try run(openssl, ["req"] + curve + ["-keyout", "\(role).key", "-out", "\(role).csr", "-subj", "/CN=mledger-\(role)"])
            try run(openssl, ["x509", "-req", "-in", "\(role).csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial",
                              "-out", "\(role).crt", "-days", "2"] + extensions)
        }
    }

    private func run(_ executable: String, _ arguments: [String]) throws {
        let finished = try ChildProcess.run(executable, arguments, in: directory)
        guard finished.status == 0 else {
            throw BrokerProcess.Failure.didNotStart("openssl \(arguments.prefix(2).joined(separator: " ")) failed: \(finished.output)")
        }
    }

    /// mosquitto listener lines for TLS with these files; `requireClientCertificate` makes it mutual.
    public func mosquittoConfig(requireClientCertificate: Bool = false) -> String {
        "cafile \(caFile)\ncertfile \(serverCertificate)\nkeyfile \(serverKey)\n"
            + (requireClientCertificate ? "require_certificate true\n" : "")
    }

    public func remove() { try? FileManager.default.removeItem(at: directory) }
}
