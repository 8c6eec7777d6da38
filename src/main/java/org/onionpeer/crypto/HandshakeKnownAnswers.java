package org.onionpeer.crypto;

import java.util.Arrays;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Published vectors for the circuit handshakes and the functions under them: HMAC-SHA256 (RFC 4231, as
 * tor's test_crypto.c carries them), KDF-TOR (tor's test_crypto_kdf_TAP), HKDF-SHA256 (RFC 5869 A.1-A.3 and
 * tor's test_crypto_hkdf_sha256, "generated with ntor_ref.py"), X25519 (RFC 7748 §6.1), CREATE_FAST (Arti
 * tor-proto crypto/handshake/fast.rs tests::testvec, "Generated from Tor") and ntor (Arti tor-proto
 * crypto/handshake/ntor.rs tests::testvec, the fixed-key vector made with tor's ntor_ref.py), plus round
 * trips and every rejection path.
 */
public final class HandshakeKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "handshakes";
    }

    @Override
    public void run(Check c) {
        hmac(c);
        kdfTor(c);
        hkdf(c);
        x25519(c);
        createFast(c);
        ntor(c);
    }

    private static byte[] rep(int b, int n) {
        byte[] out = new byte[n];
        Arrays.fill(out, (byte) b);
        return out;
    }

    private static byte[] range(int from, int toExclusive) {
        byte[] out = new byte[toExclusive - from];
        for (int i = 0; i < out.length; i++) {
            out[i] = (byte) (from + i);
        }
        return out;
    }

    private static void hmac(Check c) {
        // RFC 4231 test cases 1 and 2 (also in tor's src/test/test_crypto.c test_crypto_sha).
        c.bytes("hmac-sha256-rfc4231-1", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
                Hashes.hmacSha256(rep(0x0b, 20), Bytes.ascii("Hi There")));
        c.bytes("hmac-sha256-rfc4231-2", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
                Hashes.hmacSha256(Bytes.ascii("Jefe"), Bytes.ascii("what do ya"), Bytes.ascii(" want for nothing?")));
        // FIPS 180-2 "abc".
        c.bytes("sha256-abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
                Hashes.sha256(Bytes.ascii("abc")));
        c.bytes("sha1-abc", "a9993e364706816aba3e25717850c26c9cd0d89d", Hashes.sha1(Bytes.ascii("a"), Bytes.ascii("bc")));
    }

    private static void kdfTor(Check c) {
        // tor src/test/test_crypto.c test_crypto_kdf_TAP: crypto_expand_key_material_TAP(s, 100 bytes).
        c.bytes("kdf-tor-empty", "5ba93c9db0cff93f52b521d7420e43f6eda2784fbf8b4530d8"
                + "d246dd74ac53a13471bba17941dff7c4ea21bb365bbeeaf5f2"
                + "c654883e56d11e43c44e9842926af7ca0a8cca12604f945414"
                + "f07b01e13da42c6cf1de3abfdea9b95f34687cbbe92b9a7383", KdfTor.expand(new byte[0], 100));
        c.bytes("kdf-tor-Tor", "776c6214fc647aaa5f683c737ee66ec44f03d0372e1cce6922"
                + "7950f236ddf1e329a7ce7c227903303f525a8c6662426e8034"
                + "870642a6dabbd41b5d97ec9bf2312ea729992f48f8ea2d0ba8"
                + "3f45dfda1a80bdc8b80de01b23e3e0ffae099b3e4ccf28dc28", KdfTor.expand(Bytes.ascii("Tor"), 100));
        c.bytes("kdf-tor-alarming", "a340b5d126086c3ab29c2af4179196dbf95e1c72431419d331"
                + "4844bf8f6afb6098db952b95581fb6c33625709d6f4400b8e7"
                + "ace18a70579fad83c0982ef73f89395bcc39493ad53a685854"
                + "daf2ba9b78733b805d9a6824c907ee1dba5ac27a1e466d4d10",
                KdfTor.expand(Bytes.ascii("AN ALARMING ITEM TO FIND ON A MONTHLY AUTO-DEBIT NOTICE"), 100));
        c.rejects("kdf-tor-too-long", () -> KdfTor.expand(new byte[1], KdfTor.MAX_OUTPUT + 1));
    }

    private static void hkdf(Check c) {
        // RFC 5869 Appendix A.1-A.3 (SHA-256).
        byte[] prk1 = Hkdf.extract(range(0x00, 0x0d), rep(0x0b, 22));
        c.bytes("rfc5869-a1-prk", "077709362c2e32df0ddc3f0dc47bba6390b6c73bb50f9c3122ec844ad7c2b3e5", prk1);
        c.bytes("rfc5869-a1-okm", "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
                + "34007208d5b887185865", Hkdf.expand(prk1, range(0xf0, 0xfa), 42));
        byte[] prk2 = Hkdf.extract(range(0x60, 0xb0), range(0x00, 0x50));
        c.bytes("rfc5869-a2-prk", "06a6b88c5853361a06104c9ceb35b45cef760014904671014a193f40c15fc244", prk2);
        c.bytes("rfc5869-a2-okm", "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                + "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                + "cc30c58179ec3e87c14c01d5c1f3434f1d87", Hkdf.expand(prk2, range(0xb0, 0x100), 82));
        byte[] prk3 = Hkdf.extract(new byte[0], rep(0x0b, 22));
        c.bytes("rfc5869-a3-prk", "19ef24a32c717b167f33a91d6f648bdf96596776afdb6377ac434c1c293ccb04", prk3);
        c.bytes("rfc5869-a3-okm", "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
                + "9d201395faa4b61a96c8", Hkdf.expand(prk3, new byte[0], 42));

        // tor src/test/test_crypto.c test_crypto_hkdf_sha256 (ntor salt and info; 100 bytes).
        byte[] salt = Bytes.ascii("ntor-curve25519-sha256-1:key_extract");
        byte[] info = Bytes.ascii("ntor-curve25519-sha256-1:key_expand");
        c.bytes("tor-hkdf-empty", "d3490ed48b12a48f9547861583573fe3f19aafe3f81dc7fc75"
                + "eeed96d741b3290f941576c1f9f0b2d463d1ec7ab2c6bf71cd"
                + "d7f826c6298c00dbfe6711635d7005f0269493edf6046cc7e7"
                + "dcf6abe0d20c77cf363e8ffe358927817a3d3e73712cee28d8", Hkdf.derive(new byte[0], salt, info, 100));
        c.bytes("tor-hkdf-Tor", "5521492a85139a8d9107a2d5c0d9c91610d0f95989975ebee6"
                + "c02a4f8d622a6cfdf9b7c7edd3832e2760ded1eac309b76f8d"
                + "66c4a3c4d6225429b3a016e3c3d45911152fc87bc2de9630c3"
                + "961be9fdb9f93197ea8e5977180801926d3321fa21513e59ac", Hkdf.derive(Bytes.ascii("Tor"), salt, info, 100));
        c.bytes("tor-hkdf-alarming", "a2aa9b50da7e481d30463adb8f233ff06e9571a0ca6ab6df0f"
                + "b206fa34e5bc78d063fc291501beec53b36e5a0e434561200c"
                + "5f8bd13e0f88b3459600b4dc21d69363e2895321c06184879d"
                + "94b18f078411be70b767c7fc40679a9440a0c95ea83a23efbf",
                Hkdf.derive(Bytes.ascii("AN ALARMING ITEM TO FIND ON YOUR CREDIT-RATING STATEMENT"), salt, info, 100));
        c.rejects("hkdf-too-long", () -> Hkdf.expand(new byte[32], new byte[0], Hkdf.MAX_OUTPUT + 1));
    }

    private static void x25519(Check c) {
        // RFC 7748 §6.1.
        byte[] a = Bytes.unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
        byte[] b = Bytes.unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        c.bytes("x25519-rfc7748-alice-pub", "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a",
                Ntor.publicKey(a));
        c.bytes("x25519-rfc7748-bob-pub", "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f",
                Ntor.publicKey(b));
    }

    private static byte[] hopKeyBytes(HopKeys k) {
        return Bytes.concat(k.df(), k.db(), k.kf(), k.kb());
    }

    private static void createFast(Check c) {
        // Arti tor-proto src/crypto/handshake/fast.rs tests::testvec ("Generated from Tor"). Arti's keys are
        // KDF-TOR output after KH: Df Db Kf Kb in their first 72 bytes.
        String[][] vectors = {
            {"080E247DF7C252FCD2DC10F459703480C223E3A6",
             "BA95C0D092335428BF80093BBED0B7A26C49E1E8696FBF9C8D6BE26504219C000D26AFE370FCEF04",
             "AFA89B4FC8CF882335A582C52478B5FCB1E08DAF707E2C2D23B8C27D30BD461F3DF98A3AF82221CB658AD0AA8680B99067E4F7DB"
             + "C546970EA9A56B26433C71DA867BDD09C14A1308BC327D6A448D71D2382B3AB6AF0BB4E19649A8DFF607DB9C57A04AC3"},
            {"5F786C724C2F5978474A04FA63772057AD896A03",
             "6210B037001405742FE78B6F5B34E6DB3C9F2F7E24239498613E0ED872E110A00774A3FCB37A7507",
             "D41B65D83FB4B34A322B658BE4D706EDCD8B62813757E719118C394E1F22E1C8EA8959BAB30E856A914C3054946F547397094DE0"
             + "31F5BCA384C65C8880BF7AAB9CE7BEE33971F9DE8C22A23366F46BF8B5E5112321E216B0E02C62EEA3ABB72A0E062592"},
        };
        for (int i = 0; i < vectors.length; i++) {
            String dfDbKfKb = vectors[i][2].substring(0, 2 * 72);
            byte[] x = Bytes.unhex(vectors[i][0]);
            byte[] smsg = Bytes.unhex(vectors[i][1]);
            CreateFast.Client cl = CreateFast.client(x);
            c.bytes("create-fast-" + i + "-onionskin", vectors[i][0], cl.onionskin());
            CreateFast.ServerResult s = CreateFast.server(x, Bytes.slice(smsg, 0, 20));
            c.bytes("create-fast-" + i + "-reply", vectors[i][1], s.reply);
            c.bytes("create-fast-" + i + "-server-keys", dfDbKfKb, hopKeyBytes(s.keys));
            HopKeys ck = cl.finish(smsg);
            c.bytes("create-fast-" + i + "-client-keys", dfDbKfKb, hopKeyBytes(ck));
            c.that("create-fast-" + i + "-kh", ck.sameAs(s.keys), Bytes.hex(ck.kh()));
        }
        // A CREATED_FAST cell payload is 509 bytes: padding after Y|KH is ignored.
        byte[] x0 = Bytes.unhex(vectors[0][0]);
        byte[] padded = Arrays.copyOf(Bytes.unhex(vectors[0][1]), 509);
        c.bytes("create-fast-padded-reply", vectors[0][2].substring(0, 2 * 72), hopKeyBytes(CreateFast.client(x0).finish(padded)));
        byte[] bad = Bytes.unhex(vectors[0][1]);
        bad[35] ^= 16; // as Arti's failure test: a corrupted KH
        expect(c, "create-fast-bad-kh", "BAD_AUTH", () -> CreateFast.client(x0).finish(bad));
        expect(c, "create-fast-short-reply", "MALFORMED", () -> CreateFast.client(x0).finish(new byte[39]));
        expect(c, "create-fast-short-request", "MALFORMED", () -> CreateFast.server(new byte[19], new byte[20]));
    }

    /** Records the failure reason (or "accepted", or the other exception's name) and passes if it is {@code want}. */
    static void expect(Check c, String name, String want, Runnable r) {
        String got = reason(r);
        c.that(name, want.equals(got), got);
    }

    /** The handshake failure's reason, "accepted", or the name of anything else thrown. */
    static String reason(Runnable r) {
        try {
            r.run();
            return "accepted";
        } catch (HandshakeException e) {
            return e.reason().name();
        } catch (RuntimeException e) {
            return e.getClass().getName();
        }
    }

    private static void ntor(Check c) {
        // Arti tor-proto src/crypto/handshake/ntor.rs tests::testvec (tor's ntor_ref.py with fixed keys).
        byte[] bSk = Bytes.unhex("4820544f4c4420594f5520444f474954204b454550532048415050454e494e47");
        String bPk = "ccbc8541904d18af08753eae967874749e6149f873de937f57f8fd903a21c471";
        byte[] xSk = Bytes.unhex("706f6461792069207075742e2e2e2e2e2e2e2e4a454c4c59206f6e2074686973");
        String xPk = "e65dfdbef8b2635837fe2cebc086a8096eae3213e6830dc407516083d412b078";
        byte[] ySk = Bytes.unhex("70686520737175697272656c2e2e2e2e2e2e2e2e686173206869732067616d65");
        String yPk = "390480a14362761d6aec1fea840f6e9e928fb2adb7b25c670be1045e35133a37";
        byte[] id = Bytes.unhex("69546f6c64596f7541626f75745374616972732e");
        String clientHs = "69546f6c64596f7541626f75745374616972732eccbc8541904d18af08753eae967874749e6149f873de937f"
                + "57f8fd903a21c471e65dfdbef8b2635837fe2cebc086a8096eae3213e6830dc407516083d412b078";
        String serverHs = "390480a14362761d6aec1fea840f6e9e928fb2adb7b25c670be1045e35133a37"
                + "1cbdf68b89923e1f85e8e18ee6e805ea333fe4849c790ffd2670bd80fec95cc8";
        String keys = "0c62dee7f48893370d0ef896758d35729867beef1a5121df80e00f79ed349af39b51cae125719182f19d932a"
                + "667dae1afbf2e336e6910e7822223e763afad0a13342157969dc6b79";

        Ntor.Keypair b = Ntor.Keypair.fromSecret(bSk);
        c.bytes("ntor-B", bPk, b.publicKey());
        c.bytes("ntor-X", xPk, Ntor.publicKey(xSk));
        c.bytes("ntor-Y", yPk, Ntor.publicKey(ySk));

        Ntor.Client cl = Ntor.client(id, b.publicKey(), xSk);
        byte[] skin = cl.onionskin();
        c.bytes("ntor-client-onionskin", clientHs, skin);
        // The relay holds a second (say, next) onion key too: KEYID selects the right one.
        Ntor.Keypair other = Ntor.Keypair.fromSecret(rep(0x42, 32));
        Ntor.ServerResult s = Ntor.server(id, List.of(other, b), skin, ySk);
        c.bytes("ntor-server-reply", serverHs, s.reply);
        c.bytes("ntor-server-keys", keys, hopKeyBytes(s.keys));
        HopKeys ck = cl.finish(s.reply);
        c.bytes("ntor-client-keys", keys, hopKeyBytes(ck));
        c.that("ntor-kh-agree", ck.sameAs(s.keys), Bytes.hex(ck.kh()));
        // KH (the 20 bytes after the 72 of the published vector) is not in the vector; this value was computed
        // independently from the same keys with Python's `cryptography` X25519 + hmac (tor-spec 5.1.4 formulas).
        c.bytes("ntor-kh", "fb61d4d486879f7f146524223adcc270922fff67", ck.kh());

        // Rejections, each with its reason.
        byte[] wrongId = skin.clone();
        wrongId[0] ^= 1;
        expect(c, "ntor-wrong-nodeid", "UNKNOWN_NODE_ID", () -> Ntor.server(id, List.of(b), wrongId, ySk));
        byte[] wrongKey = skin.clone();
        wrongKey[20] ^= 1;
        expect(c, "ntor-wrong-keyid", "UNKNOWN_KEY_ID", () -> Ntor.server(id, List.of(b), wrongKey, ySk));
        expect(c, "ntor-no-keys", "UNKNOWN_KEY_ID", () -> Ntor.server(id, List.of(), skin, ySk));
        byte[] zeroX = skin.clone();
        Arrays.fill(zeroX, 52, 84, (byte) 0); // X = 0: a low-order point, every shared secret is zero
        expect(c, "ntor-server-low-order-x", "BAD_POINT", () -> Ntor.server(id, List.of(b), zeroX, ySk));
        byte[] oneX = zeroX.clone();
        oneX[52] = 1; // u = 1 is low-order too
        expect(c, "ntor-server-x-is-1", "BAD_POINT", () -> Ntor.server(id, List.of(b), oneX, ySk));
        expect(c, "ntor-server-short", "MALFORMED", () -> Ntor.server(id, List.of(b), Arrays.copyOf(skin, 83), ySk));
        expect(c, "ntor-server-long", "MALFORMED", () -> Ntor.server(id, List.of(b), Arrays.copyOf(skin, 85), ySk));
        byte[] badAuth = s.reply.clone();
        badAuth[63] ^= 0x80;
        expect(c, "ntor-client-bad-auth", "BAD_AUTH", () -> cl.finish(badAuth));
        byte[] zeroY = s.reply.clone();
        Arrays.fill(zeroY, 0, 32, (byte) 0);
        expect(c, "ntor-client-low-order-y", "BAD_POINT", () -> cl.finish(zeroY));
        expect(c, "ntor-client-short", "MALFORMED", () -> cl.finish(new byte[63]));
        // The client still accepts the genuine reply after the failures (no state was disturbed).
        c.bytes("ntor-client-keys-again", keys, hopKeyBytes(cl.finish(s.reply)));
    }
}
