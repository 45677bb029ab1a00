import Foundation

/// Secret files (keystore, passphrase file, dev issuer key) must not be readable by every user
/// of the machine: the node refuses to start rather than run with them exposed.
public enum SecretFiles {
    /// Paths among `paths` (and the files directly inside directories among them) that others
    /// may read (mode bit o+r); missing paths are skipped.
    public static func worldReadable(_ paths: [String]) -> [String] {
        var found: [String] = []
        let files = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard files.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            var candidates = [path]
            if isDirectory.boolValue, let names = try? files.contentsOfDirectory(atPath: path) {
                candidates += names.sorted().map { (path as NSString).appendingPathComponent($0) }
            }
            for candidate in candidates {
                var info = stat()
                guard stat(candidate, &info) == 0 else { continue }
                // A directory others may list exposes file names, not contents: only files count.
                guard (info.st_mode & S_IFMT) != S_IFDIR else { continue }
                if (info.st_mode & 0o004) != 0 { found.append(candidate) }
            }
        }
        return found
    }
}
