package org.onionpeer.crypto;

import org.bouncycastle.crypto.digests.SHA512Digest;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Known answers for {@link Ed25519Expanded}: RFC 8032 §7.1 TEST 1 and TEST 2 signed through the expanded-key
 * path (scalar = clamped SHA-512(seed)[0..32), prefix = SHA-512(seed)[32..64), RFC 8032 §5.1.5), an ntor
 * cross-certificate recorded from a tor 0.4.9.11 relay verified with the key converted from its curve25519
 * ntor key, and the curve25519-&gt;ed25519 conversion agreeing with the scalar's own public key for RFC 7748 §6.1's
 * Alice key.
 */
public final class Ed25519ExpandedKnownAnswers implements KnownAnswers {
    /**
     * Recorded, not published: from the descriptor of a tor 0.4.9.11 directory authority in our private
     * network ("ntor-onion-key Ab9oB0TsJCRcAqfioz4YVoy4bbC+9fdORPe1NAzXhzY", "ntor-onion-key-crosscert 1" and
     * the cert below, "master-key-ed25519 ikg0TGjPZ3ZjbFr/cx4APHBs667hhdUfULC6hgsorOQ"), base64 decoded.
     */
    private static final String TOR_NTOR_KEY = "01bf680744ec24245c02a7e2a33e18568cb86db0bef5f74e44f7b5340cd78736";
    private static final String TOR_MASTER_KEY = "8a48344c68cf6776636c5aff731e003c706cebaee185d51f50b0ba860b28ace4";
    private static final String TOR_NTOR_CROSSCERT = "010a00079f0a018a48344c68cf6776636c5aff731e003c706cebaee185d51f"
            + "50b0ba860b28ace4002b9048934cf43d92cda13f13d20b38e99e5f80b10772bedaa5c7d826565ece85e61c589629e530effe"
            + "d8b627e944103da8b5136e7ab670f0c4ea1922be23a600";

    @Override
    public String name() {
        return "ed25519-expanded";
    }

    @Override
    public void run(Check c) {
        // RFC 8032 §7.1 TEST 1 (empty message) and TEST 2 (one byte 0x72).
        rfc8032(c, "rfc8032-test1", "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
                "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a", "",
                "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25b"
                        + "f5f0595bbe24655141438e7a100b");
        rfc8032(c, "rfc8032-test2", "4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb",
                "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c", "72",
                "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b"
                        + "2eaeb4302aeeb00d291612bb0c00");

        // tor's own ntor crosscert (type 0x0a, certifying its Ed25519 identity) verifies under the converted key.
        byte[] converted = Ed25519Expanded.publicFromCurve25519(Bytes.unhex(TOR_NTOR_KEY), 1);
        byte[] cert = Bytes.unhex(TOR_NTOR_CROSSCERT);
        c.that("tor-ntor-crosscert-verifies", Ed25519.verify(converted, cert, 0, cert.length - 64,
                Bytes.slice(cert, cert.length - 64, 64)), Bytes.hex(converted));
        c.bytes("tor-ntor-crosscert-certifies-master", TOR_MASTER_KEY, Bytes.slice(cert, 7, 32));
        byte[] wrongBit = Ed25519Expanded.publicFromCurve25519(Bytes.unhex(TOR_NTOR_KEY), 0);
        c.that("tor-ntor-crosscert-wrong-sign-bit-fails", !Ed25519.verify(wrongBit, cert, 0, cert.length - 64,
                Bytes.slice(cert, cert.length - 64, 64)), Bytes.hex(wrongBit));

        // RFC 7748 §6.1 Alice: the birational map of her X25519 public key, with the derived sign bit, is the
        // Ed25519 public key of her clamped scalar; and a signature by the derived pair verifies under it.
        byte[] alice = Bytes.unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] alicePub = Bytes.unhex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
        c.bytes("rfc7748-alice-x25519-public", Bytes.hex(alicePub), Ntor.publicKey(alice));
        Ed25519Expanded.KeyPair kp = Ed25519Expanded.fromCurve25519Secret(alice);
        c.bytes("rfc7748-alice-converted-equals-derived", Bytes.hex(kp.publicKey()),
                Ed25519Expanded.publicFromCurve25519(alicePub, kp.signBit()));
        byte[] msg = Bytes.ascii("ntor-onion-key-crosscert");
        c.that("rfc7748-alice-derived-signature-verifies",
                Ed25519.verify(Ed25519Expanded.publicFromCurve25519(alicePub, kp.signBit()), msg, kp.sign(msg)),
                Bytes.hex(kp.publicKey()));
        c.rejects("curve25519-secret-length", () -> Ed25519Expanded.fromCurve25519Secret(new byte[31]));
        c.rejects("sign-bit-range", () -> Ed25519Expanded.publicFromCurve25519(alicePub, 2));
    }

    private static void rfc8032(Check c, String name, String seedHex, String pubHex, String msgHex, String sigHex) {
        byte[] h = new byte[64];
        SHA512Digest d = new SHA512Digest();
        byte[] seed = Bytes.unhex(seedHex);
        d.update(seed, 0, seed.length);
        d.doFinal(h, 0);
        byte[] scalar = Bytes.slice(h, 0, 32);
        scalar[0] &= (byte) 248;
        scalar[31] &= 127;
        scalar[31] |= 64;
        Ed25519Expanded.KeyPair kp = Ed25519Expanded.fromExpanded(scalar, Bytes.slice(h, 32, 32));
        c.bytes(name + "-public", pubHex, kp.publicKey());
        c.bytes(name + "-signature", sigHex, kp.sign(Bytes.unhex(msgHex)));
    }
}
