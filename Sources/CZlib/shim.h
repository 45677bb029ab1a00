#include <zlib.h>

// deflateInit2 and inflateInit2 are macros in zlib.h; Swift sees functions only.
static inline int mledger_deflate_init_gzip(z_streamp stream, int level) {
    // windowBits 15 + 16: write a gzip wrapper (RFC 1952), as Kafka's gzip codec expects.
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

static inline int mledger_inflate_init_gzip(z_streamp stream) {
    // windowBits 15 + 32: accept gzip or zlib wrappers (auto-detected).
    return inflateInit2(stream, 15 + 32);
}
