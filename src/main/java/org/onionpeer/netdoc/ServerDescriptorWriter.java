package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.Text;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.Ed25519Expanded;
import org.onionpeer.crypto.Hashes;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.Rsa;

/**
 * Writes and signs our relay's server descriptor (dir-spec §2.1.1 "Server descriptor format"), the document
 * a relay uploads to the directory authorities (dir-spec §3.2 "Publishing server descriptors"). Lines come
 * in the order tor's router_dump_router_to_string writes them, and satisfy tor's parser
 * (routerparse.c router_parse_entry_from_string): "identity-ed25519" right after "router",
 * "router-sig-ed25519" second to last, "router-signature" last, "proto" present.
 *
 * <p>Signatures (dir-spec §2.1.1):
 * <ul>
 * <li>router-sig-ed25519: the Ed25519 signing key (certified by "identity-ed25519") over
 * SHA-256("Tor router descriptor signature v1" | the text from "router " through "\nrouter-sig-ed25519 ").</li>
 * <li>router-signature: the RSA identity key, PKCS#1 v1.5 without DigestInfo (tor's crypto_pk_private_sign
 * of a digest), over SHA-1 of the text from "router " through "\nrouter-signature\n".</li>
 * <li>ntor-onion-key-crosscert: an Ed25519 certificate of type 0x0A certifying the Ed25519 identity key,
 * signed by the Ed25519 key derived from the ntor curve25519 secret ({@link Ed25519Expanded}); its argument is
 * that key's x sign bit, which a verifier needs to convert the curve25519 key back.</li>
 * <li>onion-key-crosscert (only with a TAP key): the TAP onion key's raw PKCS#1 signature of
 * RSA-identity-digest(20) | Ed25519-identity(32) (tor: make_tap_onion_key_crosscert).</li>
 * </ul>
 *
 * <p>TAP ("onion-key", "onion-key-crosscert"): tor up to 0.4.8 requires both in its parser (T1 in
 * routerparse.c routerdesc_token_table) and ties them to the Ed25519 lines (all four of identity-ed25519,
 * router-sig-ed25519, onion-key-crosscert, ntor-onion-key-crosscert or none). A tor 0.4.9.11 authority parses
 * a descriptor without them but refuses it: "HTTP/1.0 400 Missing TAP key in descriptor." (seen in
 * TorPublishTest). So publishers must give {@link Input#tapOnionKey} for today's authorities even though we
 * never answer TAP CREATE cells (and do not advertise Relay=1); it stays optional here for when authorities
 * stop wanting it.
 *
 * <p>Platform and proto: the platform must not start with "Tor " — tor then parses a version from it and
 * authorities reject versions older than their cutoff (process_descs.c dirserv_rejects_tor_version); for any
 * other platform tor_version_as_new_as answers "yes". The proto line advertises only what Onionpeer does
 * (tor-spec §9 "Subprotocol versioning"); authorities vote on what a relay lists but never reject a descriptor
 * for a missing protocol (dirvote.c only drops unparseable lists).
 *
 * <p>TeaVM-safe: no java.time, no String.format; base-64 and dates are written here.
 */
public final class ServerDescriptorWriter {
    /** Not "Tor ...": see the class comment. */
    public static final String DEFAULT_PLATFORM = "Onionpeer 0.1 on Java";
    /**
     * The baseline every Onionpeer relay implements (tor-spec §9): Link 3-5 (LinkFormat), Relay=2 (CREATE2/ntor,
     * EXTEND2; no TAP CREATE, so no Relay=1), FlowCtrl=1 (authenticated SENDMEs), Cons/Desc/Microdesc 1-2
     * (document formats with Ed25519 identities). {@link #proto} adds LinkAuth=3 and Relay=4/FlowCtrl=2 where
     * the relay can. Never listed: DirCache (we are no directory cache), HSDir/HSIntro/HSRend, Conflux, Padding.
     */
    public static final String DEFAULT_PROTO = "Cons=1-2 Desc=1-2 FlowCtrl=1 Link=3-5 Microdesc=1-2 Relay=2";

    /**
     * The proto line for a relay that can also authenticate as link initiator (LinkAuth=3, AUTH0003 on Java 25+)
     * and/or answers ntor v3 with congestion control (Relay=4, FlowCtrl=2; a C tor client then sends it CREATE2
     * type 3 and asks for congestion control when it is the exit).
     */
    public static String proto(boolean linkAuth, boolean ntorV3WithCc) {
        return "Cons=1-2 Desc=1-2 FlowCtrl=" + (ntorV3WithCc ? "1-2" : "1") + " Link=3-5"
                + (linkAuth ? " LinkAuth=3" : "") + " Microdesc=1-2 Relay=" + (ntorV3WithCc ? "2,4" : "2");
    }
    /** tor's default for relays' Ed25519 ntor crosscert lifetime follows the onion key rotation: 28 days. */
    public static final long NTOR_CROSSCERT_SECONDS = 28L * 24 * 3600;
    /** Descriptors over this size are refused by authorities (process_descs.c, MAX_DESCRIPTOR_UPLOAD_SIZE). */
    public static final int MAX_LENGTH = 20000;

    private static final byte[] ED_SIG_PREFIX = Bytes.ascii("Tor router descriptor signature v1");

    private ServerDescriptorWriter() {
    }

    /** What goes into a descriptor. Fill in, then {@link ServerDescriptorWriter#write}. */
    public static final class Input {
        /** 1-19 characters [A-Za-z0-9] (dir-spec §2.1.1 "router"). */
        public String nickname;
        /** Dotted IPv4. */
        public String address;
        public int orPort;
        /** Keys and the type-4 identity-&gt;signing certificate ("identity-ed25519"). */
        public RelayCredentials credentials;
        public Ntor.Keypair ntorKey;
        /** null: no "onion-key"/"onion-key-crosscert" (see the class comment). Else a 1024-bit RSA key. */
        public Rsa.PrivateKey tapOnionKey;
        /** "accept ..." / "reject ..." rules, first match wins; empty: "reject *:*". */
        public List<String> exitPolicy = new ArrayList<>();
        /** "family" entries ($HEXFINGERPRINT or nicknames); empty: no family line. */
        public List<String> family = new ArrayList<>();
        /** null: no contact line. */
        public String contact;
        /** Bytes per second (dir-spec: bandwidth-avg bandwidth-burst bandwidth-observed); avg must be &gt;= 1. */
        public long bandwidthAvg = 1L << 30;
        public long bandwidthBurst = 1L << 30;
        public long bandwidthObserved;
        public long uptimeSeconds;
        /** Unix seconds; written as "YYYY-MM-DD HH:MM:SS" UTC. */
        public long publishedSeconds;
        public String platform = DEFAULT_PLATFORM;
        public String proto = DEFAULT_PROTO;
    }

    /**
     * The signed descriptor, ending in a newline.
     *
     * @throws IllegalArgumentException on an input tor would refuse (bad nickname, address, port, a newline in
     *     a free-text field, a malformed policy rule, a TAP key that is not 1024 bits)
     */
    public static String write(Input in) {
        check(in);
        RelayCredentials creds = in.credentials;
        RelayKeys keys = creds.keys();
        byte[] edIdentity = keys.ed25519Identity().publicKey();
        byte[] rsaDigest = keys.identity().rsaIdentity();
        Ed25519Expanded.KeyPair ntorEd = Ed25519Expanded.fromCurve25519(in.ntorKey);

        StringBuilder sb = new StringBuilder(4096);
        // "router nickname address ORPort SOCKSPort DirPort": SOCKSPort is always 0; we have no DirPort.
        sb.append("router ").append(in.nickname).append(' ').append(in.address).append(' ').append(in.orPort)
                .append(" 0 0\n");
        sb.append("identity-ed25519\n");
        pem(sb, "ED25519 CERT", creds.identityToSigning().encode());
        sb.append("master-key-ed25519 ").append(base64(edIdentity, false)).append('\n');
        sb.append("platform ").append(in.platform).append('\n');
        sb.append("proto ").append(in.proto).append('\n');
        sb.append("published ").append(formatTime(in.publishedSeconds)).append('\n');
        sb.append("fingerprint ").append(spacedFingerprint(rsaDigest)).append('\n');
        sb.append("uptime ").append(in.uptimeSeconds).append('\n');
        sb.append("bandwidth ").append(in.bandwidthAvg).append(' ').append(in.bandwidthBurst).append(' ')
                .append(in.bandwidthObserved).append('\n');
        if (in.tapOnionKey != null) {
            sb.append("onion-key\n");
            pem(sb, "RSA PUBLIC KEY", in.tapOnionKey.publicKey().toPkcs1Der());
        }
        sb.append("signing-key\n");
        pem(sb, "RSA PUBLIC KEY", keys.rsaIdentity().publicKey().toPkcs1Der());
        if (in.tapOnionKey != null) {
            sb.append("onion-key-crosscert\n");
            pem(sb, "CROSSCERT", in.tapOnionKey.signRawDigest(Bytes.concat(rsaDigest, edIdentity)));
        }
        sb.append("ntor-onion-key-crosscert ").append(ntorEd.signBit()).append('\n');
        pem(sb, "ED25519 CERT", ntorCrossCert(ntorEd, edIdentity, in.publishedSeconds).encode());
        if (in.contact != null) {
            sb.append("contact ").append(in.contact).append('\n');
        }
        sb.append("ntor-onion-key ").append(base64(in.ntorKey.publicKey(), false)).append('\n');
        if (!in.family.isEmpty()) {
            sb.append("family");
            for (String f : in.family) {
                sb.append(' ').append(f);
            }
            sb.append('\n');
        }
        if (in.exitPolicy.isEmpty()) {
            sb.append("reject *:*\n");
        } else {
            for (String rule : in.exitPolicy) {
                sb.append(rule).append('\n');
            }
        }
        sb.append("router-sig-ed25519 ");
        byte[] edDigest = Hashes.sha256(ED_SIG_PREFIX, Bytes.ascii(sb.toString()));
        sb.append(base64(keys.ed25519Signing().sign(edDigest), false)).append('\n');
        sb.append("router-signature\n");
        byte[] rsaSig = keys.rsaIdentity().signRawDigest(Hashes.sha1(Bytes.ascii(sb.toString())));
        pem(sb, "SIGNATURE", rsaSig);
        if (sb.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("descriptor longer than " + MAX_LENGTH + " bytes");
        }
        return sb.toString();
    }

    /**
     * The type-0x0A certificate (cert-spec §2.1 CERT_TYPE 0A "ntor onion key cross-certifying ed25519
     * identity"): certified key = the Ed25519 identity (key type 01), no extensions, signed by the key derived
     * from the ntor secret; it expires with the onion key's lifetime after publication (whole hours, rounded up).
     */
    public static Ed25519Cert ntorCrossCert(Ed25519Expanded.KeyPair ntorEd, byte[] edIdentity, long nowSeconds) {
        long expiresHours = (nowSeconds + NTOR_CROSSCERT_SECONDS + 3599) / 3600;
        ByteWriter w = new ByteWriter(40);
        w.u8(Ed25519Cert.VERSION).u8(Ed25519Cert.TYPE_NTOR_CC_IDENTITY).u32(expiresHours).u8(Ed25519Cert.KEY_ED25519)
                .bytes(edIdentity).u8(0);
        byte[] body = w.toByteArray();
        return Ed25519Cert.decode(Bytes.concat(body, ntorEd.sign(body)));
    }

    /** Unix seconds as dir-spec's "YYYY-MM-DD HH:MM:SS" in UTC (proleptic Gregorian, civil-from-days). */
    public static String formatTime(long unixSeconds) {
        return NetDoc.formatTime(unixSeconds);
    }

    /** "AAAA BBBB ..." upper-case hex of the RSA identity digest in groups of four (dir-spec "fingerprint"). */
    public static String spacedFingerprint(byte[] rsaDigest) {
        String hex = Text.asciiUpper(Bytes.hex(rsaDigest));
        StringBuilder sb = new StringBuilder(50);
        for (int i = 0; i < hex.length(); i += 4) {
            if (i > 0) {
                sb.append(' ');
            }
            sb.append(hex, i, i + 4);
        }
        return sb.toString();
    }

    /** RFC 4648 base 64; tor writes keys and Ed25519 signatures without '=' padding. */
    public static String base64(byte[] b, boolean pad) {
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        StringBuilder sb = new StringBuilder((b.length + 2) / 3 * 4);
        for (int i = 0; i < b.length; i += 3) {
            int n = Math.min(3, b.length - i);
            int v = (b[i] & 0xff) << 16 | (n > 1 ? (b[i + 1] & 0xff) << 8 : 0) | (n > 2 ? b[i + 2] & 0xff : 0);
            for (int j = 0; j < 4; j++) {
                if (j <= n) {
                    sb.append(alphabet.charAt((v >> (18 - 6 * j)) & 63));
                } else if (pad) {
                    sb.append('=');
                }
            }
        }
        return sb.toString();
    }

    /** A PEM-style object (dir-spec §1.2): padded base 64 in lines of 64 characters. */
    private static void pem(StringBuilder sb, String type, byte[] body) {
        sb.append("-----BEGIN ").append(type).append("-----\n");
        String b64 = base64(body, true);
        for (int i = 0; i < b64.length(); i += 64) {
            sb.append(b64, i, Math.min(b64.length(), i + 64)).append('\n');
        }
        sb.append("-----END ").append(type).append("-----\n");
    }

    private static void check(Input in) {
        require(in.credentials != null && in.ntorKey != null, "credentials and ntor key are required");
        require(in.nickname != null && in.nickname.length() >= 1 && in.nickname.length() <= 19
                && allAlnum(in.nickname), "nickname must be 1-19 characters [A-Za-z0-9]");
        require(in.address != null && isDottedQuad(in.address), "address must be dotted IPv4");
        require(in.orPort >= 1 && in.orPort <= 65535, "ORPort out of range");
        require(in.bandwidthAvg >= 1 && in.bandwidthAvg <= Integer.MAX_VALUE && in.bandwidthBurst >= 0
                && in.bandwidthBurst <= Integer.MAX_VALUE && in.bandwidthObserved >= 0
                && in.bandwidthObserved <= Integer.MAX_VALUE, "bandwidth out of tor's range (avg 1.." + Integer.MAX_VALUE
                        + ")");
        require(in.uptimeSeconds >= 0 && in.publishedSeconds >= 0, "negative uptime or published time");
        require(in.platform != null && line(in.platform) && in.proto != null && line(in.proto)
                && !in.proto.isEmpty(), "platform/proto must be single non-empty lines");
        require(in.contact == null || line(in.contact), "contact must be a single line");
        for (String rule : in.exitPolicy) {
            // tor refuses accept6/reject6 in descriptors ("they crash older Tors"); IPv6 goes in ipv6-policy.
            require(rule != null && line(rule) && (rule.startsWith("accept ") || rule.startsWith("reject "))
                    && rule.indexOf(':') > 7, "exit policy rule must be 'accept|reject ADDR:PORTS': " + rule);
        }
        for (String f : in.family) {
            require(f != null && !f.isEmpty() && f.indexOf(' ') < 0 && line(f), "bad family entry: " + f);
        }
        require(in.tapOnionKey == null || in.tapOnionKey.publicKey().bits() == 1024,
                "TAP onion keys are 1024-bit RSA (tor-spec §0.3)");
    }

    private static boolean line(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return false;
            }
        }
        return true;
    }

    private static boolean allAlnum(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean isDottedQuad(String s) {
        String[] parts = org.onionpeer.bytes.Text.split(s, ".");
        if (parts.length != 4) {
            return false;
        }
        for (String p : parts) {
            if (p.isEmpty() || p.length() > 3) {
                return false;
            }
            int v = 0;
            for (int i = 0; i < p.length(); i++) {
                char c = p.charAt(i);
                if (c < '0' || c > '9') {
                    return false;
                }
                v = v * 10 + (c - '0');
            }
            if (v > 255) {
                return false;
            }
        }
        return true;
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
