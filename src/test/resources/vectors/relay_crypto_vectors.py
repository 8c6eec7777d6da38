#!/usr/bin/env python3
"""Independent reference for Onionpeer's relay-cell crypto (tor-spec 6.1 "Routing relay cells", relay cell
format v0). NOT build code: run by hand, its output (relay_crypto_vectors.txt) is pasted into
org.onionpeer.circuit.RelayCryptoKnownAnswers.

How it was run:
    python3 src/test/resources/vectors/relay_crypto_vectors.py > src/test/resources/vectors/relay_crypto_vectors.txt
(Python 3 hashlib for SHA-1 and SHA-256; the AES-128-CTR keystream comes from the OpenSSL command line:
 `openssl enc -aes-128-ctr -K <Kf/Kb hex> -iv 00000000000000000000000000000000` over zero bytes.)

Model, written straight from the spec, not from our Java code:
  * one keystream per hop and direction, all-zero IV, running on across cells;
  * one running SHA-1 per hop and direction, seeded with Df / Db, fed each 509-byte body this hop
    originates or recognizes, with the 4-byte digest field (body bytes 5..8) zeroed; the field carries the
    first 4 bytes of the running digest;
  * the OP stamps with the target hop's forward digest and encrypts with Kf_target ... Kf_0;
    a relay originating toward the OP stamps with Db and encrypts with Kb, relays add Kb on the way back.
"""
import hashlib
import subprocess

BODY = 509


def kdf_tor(k0, n):
    out, i = b"", 0
    while len(out) < n:
        out += hashlib.sha1(k0 + bytes([i])).digest()
        i += 1
    return out[:n]


class Keystream:
    def __init__(self, key):
        z = bytes(BODY * 16)
        self.ks = subprocess.run(["openssl", "enc", "-aes-128-ctr", "-K", key.hex(), "-iv", "00" * 16],
                                 input=z, capture_output=True, check=True).stdout
        assert len(self.ks) == len(z)
        self.pos = 0

    def xor(self, body):
        k = self.ks[self.pos:self.pos + len(body)]
        self.pos += len(body)
        return bytes(a ^ b for a, b in zip(body, k))


class Dir:
    """One direction of one hop: keystream plus running SHA-1."""
    def __init__(self, key, seed):
        self.ks = Keystream(key)
        self.d = hashlib.sha1(seed)

    def stamp(self, body):
        b = bytearray(body)
        b[5:9] = bytes(4)
        self.d.update(bytes(b))
        b[5:9] = self.d.digest()[:4]
        return bytes(b)


def body(cmd, stream, data):
    b = bytes([cmd]) + bytes(2) + stream.to_bytes(2, "big") + bytes(4) + len(data).to_bytes(2, "big") + data
    return b + bytes(BODY - len(b))


def sha256(b):
    return hashlib.sha256(b).hexdigest()


hops = []
for i in range(3):
    # Fixed, arbitrary per-hop key material: KDF-TOR of a label, split KH Df Db Kf Kb (tor-spec 5.2.1 order).
    m = kdf_tor(("onionpeer relay vector hop %d" % i).encode(), 92)
    kh, df, db, kf, kb = m[0:20], m[20:40], m[40:60], m[60:76], m[76:92]
    print("hop%d df=%s db=%s kf=%s kb=%s kh=%s" % (i, df.hex(), db.hex(), kf.hex(), kb.hex(), kh.hex()))
    hops.append({"f": Dir(kf, df), "b": Dir(kb, db)})

# Forward: OP -> hops.
fwd = [(2, body(2, 1, b"GET / HTTP/1.0\r\n\r\n")), (0, body(10, 0, b"")), (1, body(13, 2, b"")),
       (2, body(2, 1, b"second data cell"))]
for n, (target, plain) in enumerate(fwd):
    stamped = hops[target]["f"].stamp(plain)
    c = stamped
    for i in range(target, -1, -1):
        c = hops[i]["f"].ks.xor(c)
    print("fwd%d target=%d plain=%s field=%s wire_sha256=%s" % (n, target, sha256(plain), stamped[5:9].hex(),
                                                                 sha256(c)))
    if n == 0:
        print("fwd0 wire=%s" % c.hex())
print("fwd sendme_digest_hop2=%s" % hops[2]["f"].d.hexdigest())

# Backward: hops -> OP.
bwd = [(2, body(2, 1, b"HTTP/1.0 200 OK\r\n\r\n")), (1, body(4, 2, b"")), (0, body(5, 0, b"")),
       (2, body(2, 1, b"more"))]
for n, (origin, plain) in enumerate(bwd):
    stamped = hops[origin]["b"].stamp(plain)
    c = stamped
    for i in range(origin, -1, -1):
        c = hops[i]["b"].ks.xor(c)
    print("bwd%d origin=%d plain=%s field=%s wire_sha256=%s" % (n, origin, sha256(plain), stamped[5:9].hex(),
                                                                 sha256(c)))
    if n == 0:
        print("bwd0 wire=%s" % c.hex())
print("bwd sendme_digest_hop2=%s" % hops[2]["b"].d.hexdigest())

# Tamper: a fresh hop-0 forward state. A good cell, then a forged one whose Recognized decrypts to 0 but
# whose digest field is off by one bit (the honest sender never absorbed it), then a good cell whose digest
# chains over the two good cells only: a relay must reject the forgery without committing it.
m = kdf_tor(b"onionpeer relay vector hop 0", 92)
t = Dir(m[60:76], m[20:40])
g1 = t.stamp(body(2, 7, b"one"))
trial = t.d.copy()
forged = bytearray(body(2, 7, b"forged"))
trial.update(bytes(forged))
forged[5:9] = trial.digest()[:4]
forged[5] ^= 0x01
g3 = t.stamp(body(2, 7, b"three"))
wires = [t.ks.xor(g1), t.ks.xor(bytes(forged)), t.ks.xor(g3)]
for n, w in enumerate(wires):
    print("tamper%d wire=%s" % (n, w.hex()))
print("tamper sendme_digest=%s" % t.d.hexdigest())
