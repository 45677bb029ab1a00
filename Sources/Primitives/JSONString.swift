/// JSON string literals (RFC 8259 section 7): the one writer behind every JSON document MLedger
/// prints (RPC answers, ML architecture files, dataset summaries), so they escape alike.
public enum JSONString {
    /// Appends `text` as a quoted JSON string: `"` and `\` escaped, the common control characters
    /// as `\n`, `\r`, `\t`, the other ones below U+0020 as `\u00XX` (lower-case hex), the rest as is.
    public static func append(_ text: String, to out: inout String) {
        // Most strings (hex quantities, hashes, method names) need no escape: copy them whole.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            out += "\""
            out += text
            out += "\""
            return
        }
        out += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `text` as a quoted JSON string.
    public static func quoted(_ text: String) -> String {
        var out = ""
        append(text, to: &out)
        return out
    }
}
