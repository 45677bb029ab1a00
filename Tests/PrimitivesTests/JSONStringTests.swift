import Primitives
import Testing

@Suite struct JSONStringTests {
    @Test func escapesWhatRFC8259Requires() {
        #expect(JSONString.quoted(#"a"b\c"#) == #""a\"b\\c""#)
        #expect(JSONString.quoted("\n\r\t") == #""\n\r\t""#)
        #expect(JSONString.quoted("\u{01}\u{1f}") == #""\u0001\u001f""#)
        // Everything from U+0020 on passes through unchanged, including non-ASCII.
        #expect(JSONString.quoted("é /€ \u{7f}") == "\"é /€ \u{7f}\"")
    }
}
