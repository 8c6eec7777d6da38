package org.onionpeer.netdoc;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Ed25519Expanded;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Known answers for the descriptor writer's own pieces (the signatures are covered by ServerDescriptorWriterTest
 * on the JVM, where RSA keys are cheap to make): RFC 4648 §10 base-64 vectors, with and without tor's
 * unpadded form; the hand-written UTC date formatting at epoch, leap days and year ends (values from
 * Python's datetime.utcfromtimestamp); and an ntor cross-certificate from a fixed curve25519 secret that
 * verifies under the key converted from the public half.
 */
public final class ServerDescriptorWriterKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "server-descriptor-writer";
    }

    @Override
    public void run(Check c) {
        String[][] rfc4648 = {{"", ""}, {"f", "Zg=="}, {"fo", "Zm8="}, {"foo", "Zm9v"}, {"foob", "Zm9vYg=="},
            {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"}};
        for (String[] v : rfc4648) {
            String got = ServerDescriptorWriter.base64(Bytes.ascii(v[0]), true);
            c.that("base64-rfc4648-" + v[0], got.equals(v[1]), got);
            String unpadded = ServerDescriptorWriter.base64(Bytes.ascii(v[0]), false);
            c.that("base64-unpadded-" + v[0], unpadded.equals(v[1].replace("=", "")), unpadded);
        }
        long[] times = {0, 951782400L, 1709251199L, 1798249770L, 4102444799L};
        String[] dates = {"1970-01-01 00:00:00", "2000-02-29 00:00:00", "2024-02-29 23:59:59", "2026-12-26 01:49:30",
            "2099-12-31 23:59:59"};
        for (int i = 0; i < times.length; i++) {
            String got = ServerDescriptorWriter.formatTime(times[i]);
            c.that("published-" + times[i], got.equals(dates[i]), got);
        }
        c.that("fingerprint-spaced", ServerDescriptorWriter.spacedFingerprint(
                Bytes.unhex("aaf6ca5f9a324b44b29e0a1628213eaf5db7fa60"))
                .equals("AAF6 CA5F 9A32 4B44 B29E 0A16 2821 3EAF 5DB7 FA60"), "");

        // A type-0A cert from a fixed ntor secret (RFC 7748 §6.1 Bob's) over a fixed identity (RFC 8032 TEST 1).
        byte[] bobSecret = Bytes.unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
        byte[] bobPublic = Bytes.unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        byte[] identity = Bytes.unhex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Ed25519Expanded.KeyPair kp = Ed25519Expanded.fromCurve25519Secret(bobSecret);
        Ed25519Cert cert = ServerDescriptorWriter.ntorCrossCert(kp, identity, 1798249770L);
        byte[] converted = Ed25519Expanded.publicFromCurve25519(bobPublic, kp.signBit());
        c.that("ntor-crosscert-verifies-with-converted-key", cert.signatureValidBy(converted), Bytes.hex(converted));
        c.that("ntor-crosscert-type-0a", cert.certType() == 0x0a && cert.extensions().isEmpty()
                && Bytes.constantTimeEquals(cert.certifiedKey(), identity), Integer.toString(cert.certType()));
        // 1798249770 + 28 days, in hours, rounded up: 499514 + 672 = 500186 (0x0007a1da).
        c.that("ntor-crosscert-expiry", cert.expirationHours() == 500186L, Long.toString(cert.expirationHours()));
        c.that("ntor-crosscert-not-by-identity", !Ed25519.verify(identity, cert.encode(), 0, cert.encode().length - 64,
                cert.signature()), "");
    }
}
