import Testing
import ObjectStore

/// The worked examples of AWS's "Signature Calculations for the Authorization Header"
/// (docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-header-based-auth.html): the documented
/// key pair, date, requests and resulting signatures.
struct SigV4Tests {
    let signer = SigV4Signer(
        credentials: S3Credentials(accessKey: "AKIAIOSFODNN7EXAMPLE", secretKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"),
        region: "us-east-1")
    let date = AmzDate(timestamp: "20130524T000000Z")
    let host = ("host", "examplebucket.s3.amazonaws.com")

    func authorization(_ method: String, _ path: String, query: [(String, String)] = [],
                       headers: [(String, String)] = [], payloadHash: String = SigV4Signer.emptyPayloadHash) -> String {
        let signed = signer.sign(method: method, path: path, query: query, headers: [host] + headers,
                                 payloadHash: payloadHash, date: date)
        return signed.first { $0.0 == "authorization" }!.1
    }

    @Test func getObjectExample() {
        #expect(authorization("GET", "/test.txt", headers: [("Range", "bytes=0-9")]) ==
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
            + "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
            + "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectExample() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = Digest.hex(Digest.sha256(body))
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        // The key "test$file.text" is signed (and sent) as /test%24file.text.
        let auth = authorization("PUT", "/test$file.text",
                                 headers: [("Date", "Fri, 24 May 2013 00:00:00 GMT"), ("x-amz-storage-class", "REDUCED_REDUNDANCY")],
                                 payloadHash: hash)
        #expect(auth.hasSuffix("SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,"
            + "Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func getBucketLifecycleExample() {
        #expect(authorization("GET", "/", query: [("lifecycle", "")]).hasSuffix(
            "Signature=fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543"))
    }

    @Test func listObjectsExample() {
        // Given out of order: the canonical query sorts them.
        #expect(authorization("GET", "/", query: [("prefix", "J"), ("max-keys", "2")]).hasSuffix(
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func encodingAndDates() {
        #expect(SigV4Signer.uriEncode("a b+c/d~e", keepSlash: true) == "a%20b%2Bc/d~e")
        #expect(SigV4Signer.uriEncode("a/b", keepSlash: false) == "a%2Fb")
        #expect(SigV4Signer.canonicalQuery([("uploads", "")]) == "uploads=")
        #expect(AmzDate(secondsSince1970: 1_369_353_600).timestamp == "20130524T000000Z")
        #expect(AmzDate(secondsSince1970: 1_369_353_600).day == "20130524")
        #expect(SigV4Signer.trimmed("  a   b ") == "a b")
    }

    @Test func secretsStayOutOfDescriptions() {
        let keys = S3Credentials(accessKey: "MLKPUBLIC", secretKey: "very-secret-value")
        #expect(!"\(keys)".contains("very-secret-value"))
        #expect(!String(reflecting: keys).contains("very-secret-value"))
        #expect("\(keys)".contains("MLKPUBLIC"))
    }
}
