"""Inputs for the precompiles 0x01-0x0a, valid and invalid, drawn from a random.Random.

Valid inputs matter as much as broken ones: a precompile that fails every call only tests the
failure path. Each function returns call data bytes."""
import hashlib

from eth_keys import keys
from py_ecc import bn128

BN_P = bn128.field_modulus
BLS_MODULUS = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001


def w(v):
    return (v % (1 << 256)).to_bytes(32, "big")


def ecrecover(r):
    key = keys.PrivateKey(r.randbytes(31).rjust(32, b"\1"))
    msg = r.randbytes(32)
    sig = key.sign_msg_hash(msg)
    v, rr, s = sig.v + 27, sig.r, sig.s
    kind = r.randrange(8)
    if kind == 1:
        v = r.choice([0, 1, 26, 29, 28 + 256])  # v must be exactly 27 or 28
    elif kind == 2:
        rr = r.choice([0, bn128.curve_order, (1 << 256) - 1])  # r outside [1, n)
    elif kind == 3:
        s = r.choice([0, (1 << 256) - 1])
    elif kind == 4:
        msg = r.randbytes(32)  # recovers some other address
    data = msg + w(v) + w(rr) + w(s)
    if kind == 5:
        data = data[:r.randrange(len(data))]  # short input is zero-padded
    elif kind == 6:
        data += r.randbytes(r.randrange(1, 40))  # extra bytes are ignored
    return data


def _g1(r):
    k = r.randrange(1, 1 << 64)
    p = bn128.multiply(bn128.G1, k)
    return k, w(int(p[0])) + w(int(p[1]))


def _g2_bytes(p):
    # EIP-197: each Fq2 coordinate is written imaginary part first.
    x, y = p
    return w(int(x.coeffs[1])) + w(int(x.coeffs[0])) + w(int(y.coeffs[1])) + w(int(y.coeffs[0]))


def bn_add(r):
    kind = r.randrange(6)
    a = _g1(r)[1] if kind != 1 else b"\0" * 64  # the point at infinity is (0, 0)
    b = _g1(r)[1] if kind != 2 else a
    if kind == 3:
        b = w(1) + w(3)  # not on the curve
    elif kind == 4:
        b = w(BN_P) + w(2)  # coordinate not below the field modulus
    data = a + b
    return data[:r.randrange(129)] if kind == 5 else data


def bn_mul(r):
    kind = r.randrange(5)
    point = _g1(r)[1] if kind != 1 else b"\0" * 64
    scalar = r.choice([0, 1, 2, bn128.curve_order, bn128.curve_order - 1, (1 << 256) - 1, r.getrandbits(256)])
    if kind == 2:
        point = w(1) + w(3)
    data = point + w(scalar)
    return data[:r.randrange(97)] if kind == 3 else data


def bn_pairing(r):
    kind = r.randrange(6)
    if kind == 0:
        return b""  # the empty product is 1
    k = r.randrange(1, 1000)
    p1 = bn128.multiply(bn128.G1, k)
    neg = bn128.neg(p1)
    g2 = _g2_bytes(bn128.G2)
    a = w(int(p1[0])) + w(int(p1[1])) + g2
    b = w(int(neg[0])) + w(int(neg[1])) + g2
    if kind == 1:
        return a + b  # e(P, Q) * e(-P, Q) = 1
    if kind == 2:
        return a  # a single non-trivial pairing is not 1
    if kind == 3:
        return a + b[:r.randrange(1, 192)]  # length not a multiple of 192
    if kind == 4:
        return a[:64] + w(1) * 4  # G2 point not on the twist
    return b"\0" * 192  # infinity pairs


def blake2f(r):
    rounds = r.choice([0, 1, 2, 12, r.randrange(64)])
    final = r.choice([0, 1, 1, 2])  # 2 is invalid
    data = rounds.to_bytes(4, "big") + r.randbytes(64 + 128 + 16) + bytes([final])
    kind = r.randrange(6)
    if kind == 0:
        data = data[:r.randrange(213)]
    elif kind == 1:
        data += b"\0"
    return data


def modexp(r):
    kind = r.randrange(6)
    bl, el, ml = r.randrange(1, 40), r.randrange(0, 40), r.randrange(1, 40)
    if kind == 0:
        bl, el, ml = r.choice([(0, 0, 0), (0, 1, 1), (1, 0, 1), (1, 1, 0), (0, 32, 32)])
    body = r.randbytes(bl) + r.randbytes(el) + r.randbytes(ml)
    if kind == 1:
        el = r.choice([1 << 16, (1 << 256) - 1])  # huge exponent length: gas beyond any limit
    elif kind == 2:
        body = body[:r.randrange(len(body) + 1)]  # truncated input reads zeros
    elif kind == 3 and ml:
        body = body[:bl + el] + b"\0" * ml  # modulus 0
    return w(bl) + w(el) + w(ml) + body


def versioned_hash(commitment):
    return b"\x01" + hashlib.sha256(commitment).digest()[1:]


def point_evaluation(r):
    # The zero polynomial: commitment and proof are the point at infinity and y = 0 at any z,
    # so this input is valid without a trusted-setup computation.
    infinity = b"\xc0" + b"\0" * 47
    z = r.randrange(BLS_MODULUS)
    data = versioned_hash(infinity) + w(z) + w(0) + infinity + infinity
    kind = r.randrange(6)
    if kind == 1:
        data = data[:64] + w(1) + data[96:]  # wrong y
    elif kind == 2:
        data = data[:32] + w(BLS_MODULUS) + data[64:]  # z not in the field
    elif kind == 3:
        data = b"\x02" + data[1:]  # wrong version byte
    elif kind == 4:
        data = data[:r.randrange(192)]
    elif kind == 5:
        data = data + b"\0"
    return data


PRECOMPILES = {
    1: ecrecover, 2: lambda r: r.randbytes(r.randrange(100)), 3: lambda r: r.randbytes(r.randrange(100)),
    4: lambda r: r.randbytes(r.randrange(100)), 5: modexp, 6: bn_add, 7: bn_mul, 8: bn_pairing, 9: blake2f,
    10: point_evaluation,
}


def precompile_input(r, address):
    gen = PRECOMPILES.get(address)
    return gen(r) if gen else r.randbytes(r.randrange(64))
