package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Ed25519Expanded;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.Rsa;
import org.onionpeer.selftest.Check;

/**
 * The writer's descriptor, checked the way tor's router_parse_entry_from_string checks one: token order, both
 * signatures over the right spans, the identity cert, the ntor crosscert under the converted key, the TAP
 * crosscert when a TAP key is given.
 */
class ServerDescriptorWriterTest {
    private static final long NOW = 1798249770L; // 2026-12-26 01:49:30 UTC
    private static RelayKeys keys;
    private static RelayCredentials creds;
    private static Rsa.PrivateKey tap;
    private static Ntor.Keypair ntor;

    @BeforeAll
    static void keys() throws Exception {
        SecureRandom rnd = SecureRandom.getInstance("SHA1PRNG");
        rnd.setSeed(Bytes.ascii("onionpeer descriptor test")); // seeded before first use: deterministic
        keys = new RelayKeys(Rsa.generate(1024, rnd), Ed25519.fromSeed(bytes(rnd, 32)),
                Ed25519.fromSeed(bytes(rnd, 32)));
        creds = RelayCredentials.create(keys, NOW);
        tap = Rsa.generate(1024, rnd);
        ntor = Ntor.Keypair.fromSecret(bytes(rnd, 32));
    }

    private static byte[] bytes(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static ServerDescriptorWriter.Input input() {
        ServerDescriptorWriter.Input in = new ServerDescriptorWriter.Input();
        in.nickname = "onionpeer1";
        in.address = "127.0.0.1";
        in.orPort = 17499;
        in.credentials = creds;
        in.ntorKey = ntor;
        in.exitPolicy.add("accept 127.0.0.0/8:*");
        in.exitPolicy.add("reject *:*");
        in.contact = "onionpeer-test";
        in.bandwidthObserved = 12345;
        in.uptimeSeconds = 42;
        in.publishedSeconds = NOW;
        return in;
    }

    @Test
    void knownAnswers() {
        Check c = new Check();
        new ServerDescriptorWriterKnownAnswers().run(c);
        System.out.println("[server-descriptor-writer]\n" + c.report());
        assertTrue(c.results().size() >= 20, "checks ran: " + c.results().size());
        assertEquals(0, c.failures(), c.report());
    }

    @Test
    void signaturesAndCertificatesVerify() {
        String d = ServerDescriptorWriter.write(input());
        System.out.println(d);
        List<String> keywords = keywords(d);
        assertEquals("router", keywords.get(0));
        assertEquals("identity-ed25519", keywords.get(1), "tor wants the cert right after router");
        assertEquals("router-sig-ed25519", keywords.get(keywords.size() - 2));
        assertEquals("router-signature", keywords.get(keywords.size() - 1));
        assertTrue(d.startsWith("router onionpeer1 127.0.0.1 17499 0 0\n"));
        assertTrue(d.contains("\npublished 2026-12-26 01:49:30\n"));
        assertTrue(d.contains("\nbandwidth 1073741824 1073741824 12345\n"));
        assertTrue(d.contains("\naccept 127.0.0.0/8:*\nreject *:*\nrouter-sig-ed25519 "));
        assertFalse(d.contains("onion-key\n"), "no TAP key given, none written");
        assertFalse(d.contains("\nplatform Tor "), "a Tor platform would be version-checked");

        // router-signature: RSA identity over SHA-1("router " .. "\nrouter-signature\n").
        int rsaEnd = d.indexOf("\nrouter-signature\n") + "\nrouter-signature\n".length();
        byte[] rsaSig = pem(d, "SIGNATURE", rsaEnd - 1);
        byte[] signed = d.substring(0, rsaEnd).getBytes(StandardCharsets.US_ASCII);
        Rsa.PublicKey identity = Rsa.PublicKey.fromPkcs1Der(pem(d, "RSA PUBLIC KEY", d.indexOf("\nsigning-key\n")));
        assertEquals(keys.rsaIdentity().publicKey(), identity);
        assertTrue(identity.verifyRawDigest(Hashes.sha1(signed), rsaSig));
        signed[10] ^= 1;
        assertFalse(identity.verifyRawDigest(Hashes.sha1(signed), rsaSig));

        // identity-ed25519: type 4, signed by the master key it carries, certifying the signing key.
        Ed25519Cert idCert = Ed25519Cert.decode(pem(d, "ED25519 CERT", d.indexOf("\nidentity-ed25519\n")));
        assertEquals(4, idCert.certType());
        idCert.verify(keys.ed25519Identity().publicKey(), NOW);
        assertArrayEquals(keys.ed25519Signing().publicKey(), idCert.certifiedKey());
        assertArrayEquals(keys.ed25519Identity().publicKey(), unb64(arg(d, "master-key-ed25519")));

        // router-sig-ed25519: signing key over SHA-256(prefix | "router " .. "\nrouter-sig-ed25519 ").
        int edEnd = d.indexOf("\nrouter-sig-ed25519 ") + "\nrouter-sig-ed25519 ".length();
        byte[] edDigest = Hashes.sha256(Bytes.ascii("Tor router descriptor signature v1"),
                d.substring(0, edEnd).getBytes(StandardCharsets.US_ASCII));
        byte[] edSig = unb64(arg(d, "router-sig-ed25519"));
        assertTrue(Ed25519.verify(idCert.certifiedKey(), edDigest, edSig));
        assertFalse(Ed25519.verify(keys.ed25519Identity().publicKey(), edDigest, edSig));

        // ntor-onion-key-crosscert: type 0A certifying the master key, under the converted ntor key.
        String ntorB64 = arg(d, "ntor-onion-key");
        assertFalse(ntorB64.endsWith("="), "tor writes the ntor key unpadded");
        assertArrayEquals(ntor.publicKey(), unb64(ntorB64));
        int bit = Integer.parseInt(arg(d, "ntor-onion-key-crosscert"));
        Ed25519Cert cc = Ed25519Cert.decode(pem(d, "ED25519 CERT", d.indexOf("\nntor-onion-key-crosscert ")));
        assertEquals(0x0a, cc.certType());
        assertArrayEquals(keys.ed25519Identity().publicKey(), cc.certifiedKey());
        cc.verify(Ed25519Expanded.publicFromCurve25519(unb64(ntorB64), bit), NOW);
        assertFalse(cc.signatureValidBy(Ed25519Expanded.publicFromCurve25519(unb64(ntorB64), 1 - bit)));

        String fp = arg(d, "fingerprint").replace(" ", "");
        assertEquals(keys.identity().fingerprint(), fp);
    }

    @Test
    void tapKeyAndCrossCertWhenGiven() {
        ServerDescriptorWriter.Input in = input();
        in.tapOnionKey = tap;
        String d = ServerDescriptorWriter.write(in);
        Rsa.PublicKey onion = Rsa.PublicKey.fromPkcs1Der(pem(d, "RSA PUBLIC KEY", d.indexOf("\nonion-key\n")));
        assertEquals(tap.publicKey(), onion);
        byte[] cc = pem(d, "CROSSCERT", d.indexOf("\nonion-key-crosscert\n"));
        assertTrue(onion.verifyRawDigest(Bytes.concat(keys.identity().rsaIdentity(),
                keys.ed25519Identity().publicKey()), cc));
        // Signatures still span the new lines.
        int rsaEnd = d.indexOf("\nrouter-signature\n") + "\nrouter-signature\n".length();
        assertTrue(keys.rsaIdentity().publicKey().verifyRawDigest(
                Hashes.sha1(d.substring(0, rsaEnd).getBytes(StandardCharsets.US_ASCII)), pem(d, "SIGNATURE", rsaEnd - 1)));
    }

    @Test
    void emptyPolicyIsRejectAll() {
        ServerDescriptorWriter.Input in = input();
        in.exitPolicy.clear();
        assertTrue(ServerDescriptorWriter.write(in).contains("\nreject *:*\nrouter-sig-ed25519 "));
    }

    @Test
    void refusesWhatTorWouldRefuse() {
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.nickname = "has space"));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.nickname = "abcdefghijklmnopqrst"));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.address = "127.0.0.256"));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.address = "::1"));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.orPort = 0));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.contact = "a\nrouter-signature"));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.exitPolicy.add("accept6 [::]/0:*")));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.bandwidthAvg = 0));
        assertThrows(IllegalArgumentException.class, () -> with(in -> in.family.add("two words")));
    }

    @Test
    void formatTimeMatchesJavaTime() {
        DateTimeFormatter f = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss").withZone(ZoneOffset.UTC);
        Random r = new Random(1);
        for (int i = 0; i < 100_000; i++) {
            long t = Math.floorMod(r.nextLong(), 253402300800L); // 1970 .. 9999-12-31
            assertEquals(f.format(Instant.ofEpochSecond(t)), ServerDescriptorWriter.formatTime(t), "t=" + t);
        }
    }

    private interface Edit {
        void apply(ServerDescriptorWriter.Input in);
    }

    private static String with(Edit e) {
        ServerDescriptorWriter.Input in = input();
        e.apply(in);
        return ServerDescriptorWriter.write(in);
    }

    private static List<String> keywords(String d) {
        List<String> out = new ArrayList<>();
        boolean inObject = false;
        for (String line : d.split("\n")) {
            if (line.startsWith("-----BEGIN ")) {
                inObject = true;
            } else if (line.startsWith("-----END ")) {
                inObject = false;
            } else if (!inObject) {
                out.add(line.split(" ")[0]);
            }
        }
        return out;
    }

    /** The argument of the first line starting with "keyword ". */
    private static String arg(String d, String keyword) {
        int at = d.startsWith(keyword + " ") ? 0 : d.indexOf("\n" + keyword + " ") + 1;
        assertTrue(at > 0 || d.startsWith(keyword + " "), keyword);
        int start = at + keyword.length() + 1;
        return d.substring(start, d.indexOf('\n', start));
    }

    /** The first PEM object of {@code type} after position {@code from}. */
    private static byte[] pem(String d, String type, int from) {
        String begin = "-----BEGIN " + type + "-----\n";
        int b = d.indexOf(begin, from);
        assertTrue(b >= 0, type);
        int e = d.indexOf("-----END " + type + "-----\n", b);
        return Base64.getMimeDecoder().decode(d.substring(b + begin.length(), e));
    }

    private static byte[] unb64(String s) {
        return Base64.getDecoder().decode(s + "==".substring(0, (4 - s.length() % 4) % 4));
    }
}
