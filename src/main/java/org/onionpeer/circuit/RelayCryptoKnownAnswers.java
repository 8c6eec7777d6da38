package org.onionpeer.circuit;

import java.util.Arrays;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Relay-cell crypto (tor-spec §6.1 "Routing relay cells", format v0) against an independent reference:
 * src/test/resources/vectors/relay_crypto_vectors.py (Python hashlib SHA-1 + the `openssl enc -aes-128-ctr`
 * keystream, written from the spec) produced every expected value below; its output is kept beside it in
 * relay_crypto_vectors.txt. Runs against any {@link RelayPrimitives} so that each platform's primitives are
 * held to the same bytes.
 *
 * <p>Covered: a 3-hop OP -> relay 0 -> 1 -> 2 forward sequence (cells for different hops interleaved, so a
 * relay's digest must ignore cells that are not its own), a backward sequence from each hop to the OP,
 * the SENDME v1 digests on both ends, a forged cell (Recognized 0, wrong digest) that must be refused without
 * being committed so that the next good cell still verifies, and tampering in both directions.
 */
public final class RelayCryptoKnownAnswers implements KnownAnswers {
    /** Per hop: Df, Db, Kf, Kb, KH (KDF-TOR of "onionpeer relay vector hop N", split KH Df Db Kf Kb). */
    private static final String[][] HOPS = {
        {"6005726210606af1c3d7bb8dafe14094846219f5",
            "4b75edc16e9c1545ab59a7ce9f3e772a1536fd3e",
            "d0df27385d9fdbd429d9dca3c5ff5f89",
            "42ab2305276a856008201c7d3a8562a0",
            "a2fe651d2bafb1628002e2743ca7acd34eaec732"},
        {"71e9eac5676556b3cbe68b62f9356442f18f1616",
            "bab9e8750b86e339ca96e63a82157c30ba7650c6",
            "6465cf38c80eb22383a70b84292713e4",
            "914ba6e23f073d40554e4967a8fee9b4",
            "7518eab56139466126d3c3f5101c2acc9ba0fc0f"},
        {"11148051b9123b94ee151aca3e27845db11ce91c",
            "a0c20da409a3aed2050a95d93e6fc028f3b71c36",
            "311199f01d5773f22a9e43419418e797",
            "607674ee00f09e806cd385276f5639c2",
            "26e11196633def3a8254090876ecb12640d82711"}
    };
    /** Forward cells: SHA-256 of the plaintext body, the stamped digest field, SHA-256 of the wire body. */
    private static final String[][] FWD = {
        {"9d1b64a6dbc88f833718b25e8f5da93b7c7b641a95622857768cf2165ae278d7",
            "fcd3ba13",
            "762835ee6f472c5c335715068853b3cbcc238b2ae633a152adafc3dd41031205"},
        {"d3696ccd655f47d01b4d27de845a6694b18542c70b2a81713a4aaad04464958b",
            "bfdd8f3e",
            "04b91d3d018c56cda409391fe122f0332071c92668d475612227a005c9c15b5f"},
        {"cf0007de9d1465f0b6ad6d238b15c747f25fabb42a12730adb1a6e5bb8a2bdd0",
            "4975754c",
            "3b203cfd481719981b742bad4ff8fe7e52d62ad50c8b17d5f58a974c126750c4"},
        {"0fff4ed0ac6c99cc8cd26938de6455fca7ecad30844990bd2063f85a84e45f1d",
            "b34abf51",
            "74c8e48d2b1c9abe921ab4cecd7ff5cbaad22208324ea7f0522044bb10cb784d"}
    };
    private static final int[] FWD_TARGET = {2, 0, 1, 2};
    private static final String FWD0_WIRE = "8db7614545e50435c7a7e792f384883d0e0c4802118ad5c91e266b033c78b9473815441d2775dc3df7ff77c80c63e01c"
            + "587119c1a1e398bc7baaf5c71deb7e57192a8940bd45652d9295a773a306d3329e42df51ed722b6e10543ce313036ae2"
            + "5664081ea3fc09a2ec31d99e9114da1e0ba9bde468d392962ae695a7f0981f8e3ce017c9c1f8a7359444acb431a2d398"
            + "5c7db92de527eccd89c6653b676fb41b8dc539e597c4b595301aba4cfeb7e14106423c9cfd019be1508d92378c42fb4e"
            + "5760af86d3f2d589fee78372732e2b2d285d68becdba697821f289030b9561e78c5f7b51940949dd4c5c151a90527d14"
            + "b981138cc344ad206c3a58a7ceccbc0644b4a79967c337c97435b3f37f16ed54746e477f1ea85b9400d755a45f4bba90"
            + "b5b0b5a57b24269b980256c10258fef4b7512f4bc38539ff1fd7df79d49f31dca357ec76b58990bbca43d14b108b757a"
            + "71624b2e4e6f98d7dc40985add8dc9fb32da2cee30223665be921b818759979edd1da65315e4dd1bec2a052b1aa492ab"
            + "b993d32bcbe03192a362f19b6a531bdd743509e92845f9ce2d303c4cae7aa2346b37c3e788f1a1a984026be89630c6e5"
            + "7ac2d804bd687195fcf2f965940df901b9830ece9bcb31120bfb4a77da92a896eb529f742b0171b9df1c46f6118cd46d"
            + "d45c5b0486dabe97d477729f45cc7784202bf5265042536e5dbe0db640";
    private static final String FWD_SENDME_HOP2 = "b34abf515954379812115e765a416a0e077613e3";
    /** Backward cells: SHA-256 of the plaintext body, the stamped digest field, SHA-256 of the wire body. */
    private static final String[][] BWD = {
        {"07e201be7ed0e7ce318158334d2475c1dbbdd3eb534c0d048cc2cbbad7815e28",
            "4cc112c1",
            "7ef11feb55498e84ab99545e47c28e4935ee179402b11c9538b3de69fa3e4899"},
        {"a648797936e3f3a4170861e13f252ecce158e37a5c88fbc0bf3810645c5982e3",
            "99ac7699",
            "81f1a0a3f866775088789cadcd7f44348c436d174a509f0bd40e17462c920ab7"},
        {"96aca3d41cd3f5e34972fc4292898bf484cee0782ae1529290007cc1a7351e4c",
            "dc369aad",
            "c1f298f365d6ad23c6b19dfede515848a27051896bff6185a4f7cf0578384572"},
        {"9cf8626061290599ff45f7acaa4025a9a76bc854ff6130a709c532aaa55e4905",
            "3bbb218c",
            "82e2c48d069274ec9a2c6532c0d3ebbe907316d05b4db9e350baa84d2b73dcf8"}
    };
    private static final int[] BWD_ORIGIN = {2, 1, 0, 2};
    private static final String BWD0_WIRE = "a3ef20bc4832e3eb9e45b14be154774e789295842bbbe31099c8605d3d8682231b4d134235e3111d99ec9f489939759f"
            + "1e7309b8ee2f5b5f18fab751ccf1dcdb49f2e90c68a476ceff97f98e5984bdbeeec675825139f05f50ab014e65d8f6f4"
            + "037e78de8cacc58f2388d89c74617748083966809856273a48fba7076e51882c35994eec9c664bdbb75b169b234e5a15"
            + "a1b5de0be4fa78d499f10c301b088d2a33e2e9d768c623c35337af5402ad812e8e637ba3255b4a277cf0d8530138575e"
            + "2117c502d8707ad5f67fa3e7b6ffb268bd78d5090f0e2612b36161ad15b675bc4e3042b95215aaa9de5f60da39ae489a"
            + "5eabbb902effc51e7f22b63fbac455bd6e62a9088f63b47144d1b7c3aa28ac2c885a19a05a2a38aa0394eb1b276fc9c8"
            + "c8d1c8a4cfd36dfd8c7223d46190eb7fbfef2009ce463415c81c4b70112fe8e9138f9b12b9c5fb12eef3ee318a5427ca"
            + "12e08ac5b6d72020a967f005254b4fed463b1a25cbf8f0bb749f3e397bead3805b45eb54e33d842430d8542b749abcaf"
            + "d51384d2e021658631609d5c64cbe52f65fb74ee7b367c025573843acadef30b6dbc96b6370887fd795899af17e1b480"
            + "de694a814a7e9d1c3d3743b59fddff6f511ff7bd262c09b3d16b117c99ccd6c8314b1dac24b93cdfa7beaf2a5cc4dbb9"
            + "7bbece93d99045fa131b07ae251e69460057ee08b467f757690cfdd19b";
    private static final String BWD_SENDME_HOP2 = "3bbb218cc64e0d7c9e8db4ea26a8a31746fd4c14";
    /** A fresh hop-0 forward state: good cell, forged cell, good cell (wire bytes). */
    private static final String[] TAMPER = {
            "686206f44b4bd82a7a18a2b2fb9a80458d481aed36939abd78666ed537ab60da6589bc76bc5b86b76f0af63b8aece35f"
            + "66d3531d650a83717b1b160aec15f3d2de7a0b36e6359c40c6037ddd4184baca145f7517d4102f2ab8a4d2a9ab162101"
            + "bce2c6d2f5f7216227e75a4b37f9f642dff40d3ca90b0c13995fc507dda693dbe5392fec45bd818909ff7bea801e0f2f"
            + "3ba3552da2e99fdcf321c43c0d67769b235dab767db494376b168843b8e7bbfd6c092d01b367e03d255e69c48c512a0d"
            + "300fa5b863c210e64a789222a4fa80824430383801cb8bdbae677008e4dcb17b2152286f2c38de3ce198212af437c555"
            + "6cff2fe675afd22c129e3ad5ab812fef0c3a65be8d90be7c4bf59868e49e37306ce927137f876e5111c6b3c88f0717ca"
            + "e195e31ae5b9d65482534ba2b740287b45de773ae1a64725d84db92e75d1841c37f260847959e259fe9814e95ec4d141"
            + "375ac90a4265c2ac530ee2f47f9d9815812752c5450186c39deeb1f82008b2bdd1b21113436ad534ffcb829ac60a4614"
            + "d8965d0d5eb444435ae41141db46cfa54b90b5d432d3da1f236b9eb0191ba0977a8edca3f0156a11213cc76ccfb3eaa4"
            + "aac513f01764cab329a248da1fa23c29748b290072ac8c68ca1a66a10f820757d505563385d58b3f706099153864634c"
            + "893be7f2553bf015c49d34eaea90c7f9606d55ee6c58d911341f015ce7",
            "3b49140d38da0808fee1902a640e52c1995d94b6af481a5e6e919bccdb2a7a6bd3ac36bde7ac3e1b31fcaa5d16b7c5c8"
            + "7b7774c808d4b35867f50440fe386bc327f27498f46aabae15bfe2e267b234ada80a6e7f6200f44f9c74363c0c3962cf"
            + "3fdfe9233872722f1a8750c6fb1c64bf19956d7f5c749b9ba1fd966986b474effb2e17f0da2e64aafd962bcff4fd83bc"
            + "d4fd8f5c012ae8f2a2753b19e46ca3a85a03539ca23cb3a71c9b6a09350798563c2a8a8b78d19cae83d020518188f0f1"
            + "34cbec24f1bf0eeca6de6e5686c4723ffbb2c385772f2e3da9ce89210855b504b53c6fdee879b9486efd48849ef51b2b"
            + "2e2c8cde5554f91e7d580da886b05b955a2b0e3e897c462812148e221a923c230dc6984921e20906567f4de018d91fe2"
            + "d4af22df2a371699022947492db1bdff97178ea079bd19ba26e11c4de8d3b5fc1a07771a16178788cf732cf2b777a196"
            + "d14a6a89671aea31cb7818bbfde05236551f269c761cb5d3b7da6cb1bf22002e2f7d52a58ade3916f60c9df50c86a6d6"
            + "88c4efd97b9a76426f5a78077c1842b053fb38957d2087fcc54fe9688b30719c577a62770b92bdeaabcace2ea2ef9d44"
            + "b1b5667bad00a5095ed0630a65d22cae0f8c00d0c0c4868af0b33bec7927183fa0817de0a7335491b6add84718c14dd8"
            + "69513889dceed543a574e199d289bc478ebf85cbe6ccc48c909c72b18a",
            "e85913f349c4c395adcc1d7c1d55b0e0de7fecc5521a3c9d5e87ae19306680e168a20b962be13effec7eb33466b662e7"
            + "e2f387247578b09340e4c328bb17c88ed17d82473ccf3b2c149ee94b62e2679d45e5be4c50fa2f720f6e9478352ac1f5"
            + "d327ef1d8df6ad940377167301a9db6d52dea6001a8a4bb69a9c11aa2c7c294dc54e6ba97e00f0fca9105eb1646deab9"
            + "f7332d50b714b721d55ec5fd09770667e680d7f19917c358ea54161e0af4da42ce89905cc3f8fe6cef1a70d92832f7f3"
            + "5305c772fe071750fbac95d0b56a163bdd014caf2fbc7ba1d29426b95dfdda31acebd5e4bf94c85656d9b0fc6b8a2a72"
            + "79e20432c57279dbdc0121ff419ec48ab1fa34a595876b773f015136d78bd590575d07de28b6b96efc7a5a77ea38d96b"
            + "5bd822fc7e851b7e6e1f946f82a934e2d5e9b595361319d9fe97b9f599a7d751284ae3a8690515d0233cee13af105827"
            + "d4f927c7401a32f377d7dcd2aa00fe8d660710aff2b0c8adabc76b1d7087154a2808a8b40938fb46f95d2e63765f1a85"
            + "a3e30420baf8ff4093844cfb6ba1aa09e9011f8d8d4925b9aa59c05813247ba2e147fc7f6e92aa8c0bd299b67d2a658e"
            + "edd99bef49c1cbcd99386645dea2340eb7fddf3ea2167c2d7e4f53c1bf0467b8339b69bd645fde17d27de3030ecf6ddc"
            + "998e6da6e3c14d9097a1f12c30c7c2514a343eec304b78a5dbc55848a7"
    };
    private static final String TAMPER_SENDME = "d0bde1b6a885aa5276dcf817f555de753840d92d";

    private final RelayPrimitives p;

    public RelayCryptoKnownAnswers(RelayPrimitives p) {
        this.p = p;
    }

    @Override
    public String name() {
        return "relay-crypto-" + p.name();
    }

    static HopKeys hopKeys(int i) {
        String[] h = HOPS[i];
        return new HopKeys(Bytes.unhex(h[0]), Bytes.unhex(h[1]), Bytes.unhex(h[2]), Bytes.unhex(h[3]),
                Bytes.unhex(h[4]));
    }

    /** The reference script's body(): Cmd, Recognized 0, StreamID, Digest 0, Length, Data, zero padding. */
    static byte[] body(int cmd, int stream, String data) {
        byte[] d = Bytes.ascii(data);
        byte[] b = new byte[RelayBody.LEN];
        b[RelayBody.CMD] = (byte) cmd;
        Bytes.putU16(b, RelayBody.STREAM_ID, stream);
        Bytes.putU16(b, RelayBody.LENGTH, d.length);
        System.arraycopy(d, 0, b, RelayBody.DATA, d.length);
        return b;
    }

    private static final byte[][] FWD_PLAIN = {
        body(2, 1, "GET / HTTP/1.0\r\n\r\n"), body(10, 0, ""), body(13, 2, ""), body(2, 1, "second data cell")};
    private static final byte[][] BWD_PLAIN = {
        body(2, 1, "HTTP/1.0 200 OK\r\n\r\n"), body(4, 2, ""), body(5, 0, ""), body(2, 1, "more")};

    private static byte[] field(byte[] b) {
        return Arrays.copyOfRange(b, RelayBody.DIGEST, RelayBody.DIGEST + RelayBody.DIGEST_LEN);
    }

    /** SHA-256 of the body with its digest field zeroed: equals the plaintext's hash when all else survived. */
    private static byte[] hashWithoutField(byte[] b) {
        byte[] z = b.clone();
        Arrays.fill(z, RelayBody.DIGEST, RelayBody.DIGEST + RelayBody.DIGEST_LEN, (byte) 0);
        return Hashes.sha256(z);
    }

    @Override
    public void run(Check c) {
        ClientCircuitCrypto op = new ClientCircuitCrypto(p);
        RelayCircuitCrypto[] relays = new RelayCircuitCrypto[3];
        for (int i = 0; i < 3; i++) {
            c.that("add-hop-" + i, op.addHop(hopKeys(i)) == i, "");
            relays[i] = new RelayCircuitCrypto(hopKeys(i), p);
        }
        forward(c, op, relays);
        backward(c, op, relays);
        forgery(c);
        tampering(c, op, relays);
        c.rejects("short-body-op", () -> op.decrypt(new byte[508], 0));
        c.rejects("short-body-relay", () -> relays[0].decryptForward(new byte[600], 100));
    }

    private void forward(Check c, ClientCircuitCrypto op, RelayCircuitCrypto[] relays) {
        for (int n = 0; n < FWD.length; n++) {
            String tag = "fwd" + n;
            c.bytes(tag + "-plain", FWD[n][0], Hashes.sha256(FWD_PLAIN[n]));
            byte[] cell = FWD_PLAIN[n].clone();
            op.encrypt(cell, 0, FWD_TARGET[n]);
            c.bytes(tag + "-wire", FWD[n][2], Hashes.sha256(cell));
            if (n == 0) {
                c.bytes(tag + "-wire-bytes", FWD0_WIRE, cell);
            }
            // Through the relays: each removes one layer; only the target may recognize the cell.
            int recognizedAt = -1;
            for (int i = 0; i < 3 && recognizedAt < 0; i++) {
                if (relays[i].decryptForward(cell, 0)) {
                    recognizedAt = i;
                }
            }
            c.that(tag + "-recognized-at", recognizedAt == FWD_TARGET[n], "hop " + recognizedAt);
            c.bytes(tag + "-field", FWD[n][1], field(cell));
            c.bytes(tag + "-plain-at-target", FWD[n][0], hashWithoutField(cell));
        }
        // SENDME v1 (prop289): the digest after the last DATA cell, the same at the OP and at the exit.
        byte[] d = new byte[20];
        op.forwardDigest(2, d, 0);
        c.bytes("fwd-sendme-op", FWD_SENDME_HOP2, d);
        relays[2].forwardDigest(d, 0);
        c.bytes("fwd-sendme-exit", FWD_SENDME_HOP2, d);
    }

    private void backward(Check c, ClientCircuitCrypto op, RelayCircuitCrypto[] relays) {
        for (int n = 0; n < BWD.length; n++) {
            String tag = "bwd" + n;
            c.bytes(tag + "-plain", BWD[n][0], Hashes.sha256(BWD_PLAIN[n]));
            byte[] cell = BWD_PLAIN[n].clone();
            int origin = BWD_ORIGIN[n];
            relays[origin].originateBackward(cell, 0);
            if (origin == 2 && n == 3) {
                byte[] d = new byte[20];
                relays[2].backwardDigest(d, 0);
                c.bytes("bwd-sendme-exit", BWD_SENDME_HOP2, d);
            }
            for (int i = origin - 1; i >= 0; i--) {
                relays[i].relayBackward(cell, 0);
            }
            c.bytes(tag + "-wire", BWD[n][2], Hashes.sha256(cell));
            if (n == 0) {
                c.bytes(tag + "-wire-bytes", BWD0_WIRE, cell);
            }
            int from = op.decrypt(cell, 0);
            c.that(tag + "-origin", from == origin, "hop " + from);
            c.bytes(tag + "-field", BWD[n][1], field(cell));
            c.bytes(tag + "-plain-at-op", BWD[n][0], hashWithoutField(cell));
        }
        byte[] d = new byte[20];
        op.backwardDigest(2, d, 0);
        c.bytes("bwd-sendme-op", BWD_SENDME_HOP2, d);
    }

    /** A forged cell must be refused and must not enter the digest: the good cell after it still verifies. */
    private void forgery(Check c) {
        RelayCircuitCrypto r = new RelayCircuitCrypto(hopKeys(0), p);
        byte[] g1 = Bytes.unhex(TAMPER[0]);
        c.that("forgery-good-1", r.decryptForward(g1, 0), "");
        c.bytes("forgery-good-1-plain", Bytes.hex(Hashes.sha256(body(2, 7, "one"))), hashWithoutField(g1));
        byte[] forged = Bytes.unhex(TAMPER[1]);
        c.that("forgery-refused", !r.decryptForward(forged, 0), "");
        // Refusal leaves the decrypted body intact (a relay would pass it on): Recognized 0, data readable.
        c.bytes("forgery-body-kept", Bytes.hex(Hashes.sha256(body(2, 7, "forged"))), hashWithoutField(forged));
        byte[] g3 = Bytes.unhex(TAMPER[2]);
        c.that("forgery-next-good-verifies", r.decryptForward(g3, 0), "");
        byte[] d = new byte[20];
        r.forwardDigest(d, 0);
        c.bytes("forgery-digest-excludes-forged", TAMPER_SENDME, d);
    }

    /** Round trips with one flipped bit on the wire: the target refuses the cell in either direction. */
    private void tampering(Check c, ClientCircuitCrypto op, RelayCircuitCrypto[] relays) {
        byte[] cell = body(2, 1, "tamper me");
        op.encrypt(cell, 0, 2);
        cell[RelayBody.DATA + 3] ^= 0x10;
        boolean any = false;
        for (int i = 0; i < 3; i++) {
            any |= relays[i].decryptForward(cell, 0);
        }
        c.that("tampered-forward-refused", !any, "");
        byte[] back = body(2, 1, "tamper me too");
        relays[2].originateBackward(back, 0);
        relays[1].relayBackward(back, 0);
        relays[0].relayBackward(back, 0);
        back[100] ^= 0x01;
        int from = op.decrypt(back, 0);
        c.that("tampered-backward-refused", from == ClientCircuitCrypto.NOT_RECOGNIZED, "hop " + from);
    }
}
