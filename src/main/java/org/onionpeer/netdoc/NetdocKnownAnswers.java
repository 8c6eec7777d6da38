package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;

/**
 * Directory documents on every platform: base64 against RFC 4648 §10, then the documents of
 * {@link CapturedDocuments} (real tor 0.4.9.11 output with tor's own signatures) parsed and verified at
 * the capture time. Expected values are published in the documents themselves: the DirAuthority line's
 * v3ident and fingerprint, the consensus "directory-signature" line's signing-key digest, and the consensus
 * "r" line of exit1 (identity 6Uz8qrJSRyZkGwXTseri6FAqas0, descriptor digest iMhwfoXQoPRADXdSitHh3w523CA,
 * base64 shown in hex below) and its descriptor's master-key-ed25519 and ntor-onion-key lines.
 */
public final class NetdocKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "netdoc";
    }

    @Override
    public void run(Check c) {
        base64(c);
        times(c);
        long now = CapturedDocuments.NOW;

        AuthorityLine line = AuthorityLine.parse(CapturedDocuments.AUTHORITY_LINE);
        c.bytes("authority v3ident", "35E76C300C0FB8C808C78281665EF02E9652974D", line.v3Identity());
        c.bytes("authority fingerprint", "C9D0131600D427703C3372840843D5561D5DF93A", line.rsaFingerprint());
        c.that("authority address", "auth0 127.0.0.1 17100 17101".equals(line.nickname() + " " + line.address()
                + " " + line.orPort() + " " + line.dirPort()), line.address());
        List<byte[]> trusted = new ArrayList<>();
        trusted.add(line.v3Identity());

        List<AuthorityCertificate> certs = AuthorityCertificate.parseAll(CapturedDocuments.KEYS_ALL);
        AuthorityCertificate cert = certs.get(0);
        c.bytes("key certificate identity", "35E76C300C0FB8C808C78281665EF02E9652974D", cert.identityFingerprint());
        // The consensus's "directory-signature 35E7...974D 2F85...0524" names the signing key by this digest.
        c.bytes("key certificate signing key digest", "2F851543AFD5D9DA21AC29E9B795073E59E90524",
                cert.signingKeyDigest());
        c.that("key certificate verifies", passes(() -> cert.verify(now)), "");
        c.rejects("key certificate tampered", () -> AuthorityCertificate.parse(
                tamper(CapturedDocuments.KEYS_ALL, "dir-key-expires 2027", "dir-key-expires 2028")).verify(now));
        c.rejects("key certificate expired", () -> cert.verify(cert.expires() + 1));

        Consensus cons = Consensus.parse(CapturedDocuments.CONSENSUS);
        c.that("consensus routers", cons.routers().size() == 4, Integer.toString(cons.routers().size()));
        c.that("consensus valid-after", cons.validAfter() == 1795657660L, Long.toString(cons.validAfter()));
        c.that("consensus verifies", passes(() -> cons.verify(certs, trusted, now)), "");
        Consensus.Router exitR = cons.routers().get(3);
        c.bytes("consensus exit1 identity", "e94cfcaab2524726641b05d3b1eae2e8502a6acd", exitR.rsaIdentity());
        c.bytes("consensus exit1 digest", "88c8707e85d0a0f4400d77528ad1e1df0e76dc20", exitR.descriptorDigest());
        c.rejects("consensus tampered", () -> Consensus.parse(tamper(CapturedDocuments.CONSENSUS,
                "w Bandwidth=1 ", "w Bandwidth=9 ")).verify(certs, trusted, now));
        c.rejects("consensus tampered address", () -> Consensus.parse(tamper(CapturedDocuments.CONSENSUS,
                "127.0.0.1 17105", "127.0.0.2 17105")).verify(certs, trusted, now));
        List<byte[]> wrong = new ArrayList<>();
        wrong.add(Bytes.unhex("35E76C300C0FB8C808C78281665EF02E9652974E"));
        c.rejects("consensus wrong authority", () -> cons.verify(certs, wrong, now));
        c.rejects("consensus too old", () -> cons.verify(certs, trusted, cons.validUntil() + 86401L));
        c.rejects("consensus after signatures", () -> Consensus.parse(CapturedDocuments.CONSENSUS + "s Exit\n"));

        ServerDescriptor d = ServerDescriptor.parse(CapturedDocuments.EXIT1_DESCRIPTOR);
        c.bytes("descriptor digest = consensus r digest", "88c8707e85d0a0f4400d77528ad1e1df0e76dc20", d.digest());
        c.bytes("descriptor rsa identity", "e94cfcaab2524726641b05d3b1eae2e8502a6acd", d.rsaIdentity());
        // master-key-ed25519 PeDDXYHW3QJa8RHWtVzuig8zGQPx/q8OaVmcoxQuxFc
        c.bytes("descriptor ed25519 identity", "3de0c35d81d6dd025af111d6b55cee8a0f331903f1feaf0e69599ca3142ec457",
                d.ed25519Identity());
        // ntor-onion-key 4d1X7pnmgEVMG8HSIAB/YN5o59aFiUyWGsCp7GpfzTQ
        c.bytes("descriptor ntor key", "e1dd57ee99e680454c1bc1d220007f60de68e7d685894c961ac0a9ec6a5fcd34",
                d.ntorOnionKey());
        c.that("descriptor policy", "accept 127.0.0.0/8:*|reject *:*".equals(d.exitPolicy().get(0) + "|"
                + d.exitPolicy().get(1)), d.exitPolicy().toString());
        c.that("descriptor verifies", passes(() -> d.verify(now)), "");
        c.rejects("descriptor tampered policy", () -> ServerDescriptor.parse(tamper(CapturedDocuments.EXIT1_DESCRIPTOR,
                "accept 127.0.0.0/8:*", "accept 0.0.0.0/0:*")).verify(now));
        c.rejects("descriptor tampered ntor key", () -> ServerDescriptor.parse(tamper(CapturedDocuments.EXIT1_DESCRIPTOR,
                "ntor-onion-key 4d1X", "ntor-onion-key 5d1X")).verify(now));
        c.rejects("descriptor ntor cross-cert sign bit", () -> ServerDescriptor.parse(tamper(
                CapturedDocuments.EXIT1_DESCRIPTOR, "ntor-onion-key-crosscert 1", "ntor-onion-key-crosscert 0"))
                .verify(now));

        // A page's checks of the documents its bridge passes on (TorDocuments, torcheck.js): exact refusals.
        String refusedBy = "Tor consensus refused: signed by 0 of 1 trusted authorities, need more than half (";
        c.that("page: consensus verifies", passes(() -> TorDocuments.consensus(CapturedDocuments.CONSENSUS,
                CapturedDocuments.KEYS_ALL, trusted, now)), "");
        String m = refusal(() -> TorDocuments.consensus(tamper(CapturedDocuments.CONSENSUS, "w Bandwidth=1 ",
                "w Bandwidth=9 "), CapturedDocuments.KEYS_ALL, trusted, now));
        c.that("page: changed consensus refused", (refusedBy + "bad signature by authority "
                + "35E76C300C0FB8C808C78281665EF02E9652974D)").equals(m), m);
        m = refusal(() -> TorDocuments.consensus(CapturedDocuments.CONSENSUS, "", trusted, now));
        c.that("page: no key certificate", (refusedBy + "no key certificate for authority "
                + "35E76C300C0FB8C808C78281665EF02E9652974D)").equals(m), m);
        m = refusal(() -> TorDocuments.consensus(CapturedDocuments.CONSENSUS, CapturedDocuments.KEYS_ALL, trusted,
                cons.validUntil() + Consensus.REASONABLY_LIVE + 1));
        c.that("page: expired consensus refused", "Tor consensus refused: too old (valid until 2026-11-26 01:48:00)"
                .equals(m), m);
        m = refusal(() -> TorDocuments.relays(cons, tamper(CapturedDocuments.EXIT1_DESCRIPTOR,
                "accept 127.0.0.0/8:*", "accept 0.0.0.0/0:*"), now));
        c.that("page: descriptor digest refused", m.startsWith("Tor server descriptor refused: exit1 (digest ")
                && m.endsWith(") is not one the consensus names"), m);
        c.that("page: exit1 from its descriptor", TorDocuments.relays(cons, CapturedDocuments.EXIT1_DESCRIPTOR, now)
                .size() == 1, "");

        List<ServerDescriptor> descs = new ArrayList<>();
        descs.add(d);
        List<RelayInfo> relays = TorDirectory.relays(cons, descs, now);
        RelayInfo r = relays.isEmpty() ? null : relays.get(0);
        c.that("relay from consensus and descriptor", relays.size() == 1 && r.hasFlag(RelayInfo.FLAG_EXIT)
                && "tls://127.0.0.1:17105".equals(r.addresses().get(0))
                && "accept 127.0.0.0/8:*, reject *:*".equals(r.exitPolicy()), relays.toString());
        c.that("missing descriptors", TorDirectory.missingDescriptors(cons, descs).size() == 3,
                TorDirectory.missingDescriptors(cons, descs).toString());
    }

    private static void base64(Check c) {
        // RFC 4648 §10 test vectors, padded and as tor writes arguments (unpadded).
        String[] plain = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
        String[] enc = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        for (int i = 0; i < plain.length; i++) {
            String hex = Bytes.hex(Bytes.ascii(plain[i]));
            String label = plain[i].isEmpty() ? "(empty)" : enc[i];
            c.bytes("base64 " + label, hex, Base64.decode(enc[i]));
            String unpadded = enc[i].replace("=", "");
            c.bytes("base64 unpadded " + label, hex, Base64.decode(unpadded));
            c.that("base64 encode " + label, enc[i].equals(Base64.encode(Bytes.ascii(plain[i]))), enc[i]);
        }
        c.rejects("base64 bad padding", () -> Base64.decode("Zg="));
        c.rejects("base64 trailing bits", () -> Base64.decode("Zh"));
        c.rejects("base64 bad length", () -> Base64.decode("Zm9vY"));
        c.rejects("base64 bad character", () -> Base64.decode("Zm9v-mFy"));
    }

    private static void times(Check c) {
        // 2000-02-29 00:00:00 UTC = 951782400 (a leap day in a century leap year).
        c.that("time leap day", NetDoc.time("2000-02-29", "00:00:00", "t") == 951782400L, "");
        c.that("time format", "2026-11-26 01:47:40".equals(NetDoc.formatTime(1795657660L)),
                NetDoc.formatTime(1795657660L));
        c.rejects("time not a date", () -> NetDoc.time("2026-02-29", "00:00:00", "t"));
    }

    /** The message r fails with, or "" when it does not. */
    private static String refusal(Runnable r) {
        try {
            r.run();
            return "";
        } catch (RuntimeException e) {
            return String.valueOf(e.getMessage());
        }
    }

    private static boolean passes(Runnable r) {
        try {
            r.run();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** {@code text} with the first {@code from} replaced (which must be there, so the check is meaningful). */
    private static String tamper(String text, String from, String to) {
        int i = text.indexOf(from);
        if (i < 0) {
            throw new IllegalStateException("tamper: \"" + from + "\" not found");
        }
        return text.substring(0, i) + to + text.substring(i + from.length());
    }
}
