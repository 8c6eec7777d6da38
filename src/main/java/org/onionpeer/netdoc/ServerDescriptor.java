package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.bouncycastle.math.ec.rfc7748.X25519Field;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.crypto.Rsa;

/**
 * A relay's server descriptor (dir-spec §2.1.1), served at /tor/server/all and /tor/server/d/DIGEST.
 *
 * <p>{@link #parse} checks the format; {@link #verify} checks every signature: the RSA router-signature by
 * the identity key, the Ed25519 identity certificate, router-sig-ed25519, the fingerprint line, the ntor key
 * cross-certificate and (when tor still sends one) the TAP onion key cross-certificate. Only descriptors
 * with an Ed25519 identity and an ntor key are accepted: the onion proxy needs both.
 */
public final class ServerDescriptor {
    /** Largest single descriptor (tor caps uploads at 20,000 bytes, MAX_DESCRIPTOR_UPLOAD_SIZE). */
    public static final int MAX_DESCRIPTOR = 64 * 1024;
    /** Most descriptors in one body. */
    public static final int MAX_DESCRIPTORS = 20000;
    /** Largest body of several descriptors. */
    public static final int MAX_BODY = 64 * 1024 * 1024;
    /** Most items in one descriptor, on average, across a body. */
    static final int MAX_ITEMS_PER_DESCRIPTOR = 256;
    /** Most exit-policy lines in one descriptor. */
    public static final int MAX_POLICY_RULES = 4096;
    /** How far in the future "published" may lie: tor's ROUTER_ALLOW_SKEW (12 h, dirserv). */
    public static final long PUBLISHED_SKEW = 12 * 3600L;
    /** tor's relay RSA keys (identity, TAP onion key) are exactly 1024 bits (tor-spec §0.3). */
    public static final int RSA_BITS = 1024;

    private static final byte[] ED_SIG_PREFIX = Bytes.ascii("Tor router descriptor signature v1");

    private final String nickname;
    private final String address;
    private final int orPort;
    private final int dirPort;
    private final long published;
    private final String platform;
    private final String protocols;
    private final String family;
    private final Rsa.PublicKey signingKey;
    private final Rsa.PublicKey onionKey; // TAP, may be null
    private final byte[] onionKeyCrossCert; // may be null
    private final byte[] fingerprint; // claimed, may be null
    private final Ed25519Cert identityCert;
    private final byte[] masterKey; // may be null
    private final byte[] ntorKey;
    private final Ed25519Cert ntorCrossCert;
    private final int ntorCrossCertSign;
    private final List<String> exitPolicy;
    private final byte[] edSignature;
    private final byte[] rsaSignature;
    private final String text;
    private final int start;
    private final int edSignedEnd;
    private final int rsaSignedEnd;
    private final int end;
    private final byte[] digest;
    private final byte[] rsaIdentity;

    private ServerDescriptor(Builder b) {
        nickname = b.nickname;
        address = b.address;
        orPort = b.orPort;
        dirPort = b.dirPort;
        published = b.published;
        platform = b.platform;
        protocols = b.protocols;
        family = b.family;
        signingKey = b.signingKey;
        onionKey = b.onionKey;
        onionKeyCrossCert = b.onionKeyCrossCert;
        fingerprint = b.fingerprint;
        identityCert = b.identityCert;
        masterKey = b.masterKey;
        ntorKey = b.ntorKey;
        ntorCrossCert = b.ntorCrossCert;
        ntorCrossCertSign = b.ntorCrossCertSign;
        exitPolicy = Collections.unmodifiableList(b.exitPolicy);
        edSignature = b.edSignature;
        rsaSignature = b.rsaSignature;
        text = b.text;
        start = b.start;
        edSignedEnd = b.edSignedEnd;
        rsaSignedEnd = b.rsaSignedEnd;
        end = b.end;
        digest = Rsa.sha1(NetDoc.bytes(text, start, rsaSignedEnd));
        rsaIdentity = Rsa.sha1(signingKey.toPkcs1Der());
    }

    private static final class Builder {
        String nickname;
        String address;
        int orPort;
        int dirPort;
        long published;
        String platform;
        String protocols;
        String family;
        Rsa.PublicKey signingKey;
        Rsa.PublicKey onionKey;
        byte[] onionKeyCrossCert;
        byte[] fingerprint;
        Ed25519Cert identityCert;
        byte[] masterKey;
        byte[] ntorKey;
        Ed25519Cert ntorCrossCert;
        int ntorCrossCertSign;
        List<String> exitPolicy = new ArrayList<>();
        byte[] edSignature;
        byte[] rsaSignature;
        String text;
        int start;
        int edSignedEnd;
        int rsaSignedEnd;
        int end;
    }

    /** Every descriptor of a /tor/server/... body as received (bytes). */
    public static List<ServerDescriptor> parseAll(byte[] body) {
        if (body == null || body.length > MAX_BODY) {
            throw new ProtocolException("server descriptors: no body or larger than " + MAX_BODY);
        }
        return parseAll(NetDoc.text(body));
    }

    /** Every descriptor of a /tor/server/... body (may be empty: tor answers 404 instead, but be lenient). */
    public static List<ServerDescriptor> parseAll(String body) {
        if (body == null) {
            throw new ProtocolException("server descriptors: no text");
        }
        if (body.length() > MAX_BODY) {
            throw new ProtocolException("server descriptors: body larger than " + MAX_BODY);
        }
        int maxItems = (int) Math.min(MAX_DESCRIPTORS * (long) MAX_ITEMS_PER_DESCRIPTOR,
                body.length() / 8L + 1024);
        List<NetDoc.Item> items = NetDoc.tokenize(body, maxItems);
        List<List<NetDoc.Item>> docs = NetDoc.splitAt(items, "router", MAX_DESCRIPTORS);
        List<ServerDescriptor> out = new ArrayList<>();
        for (List<NetDoc.Item> d : docs) {
            out.add(fromItems(body, d));
        }
        return Collections.unmodifiableList(out);
    }

    /** Exactly one descriptor. */
    public static ServerDescriptor parse(String text) {
        List<ServerDescriptor> all = parseAll(text);
        if (all.size() != 1) {
            throw new ProtocolException("server descriptor: " + all.size() + " descriptors, expected one");
        }
        return all.get(0);
    }

    private static ServerDescriptor fromItems(String text, List<NetDoc.Item> items) {
        NetDoc.Item first = items.get(0);
        NetDoc.Item last = items.get(items.size() - 1);
        if (last.end - first.start > MAX_DESCRIPTOR) {
            throw new ProtocolException("server descriptor: larger than " + MAX_DESCRIPTOR + " bytes");
        }
        if (items.size() > MAX_ITEMS_PER_DESCRIPTOR + MAX_POLICY_RULES) {
            throw new ProtocolException("server descriptor: too many items");
        }
        if (!last.keyword.equals("router-signature")) {
            throw new ProtocolException("server descriptor: does not end with \"router-signature\"");
        }
        Builder b = new Builder();
        // router nickname address ORPort SOCKSPort DirPort (dir-spec §2.1.1)
        NetDoc.Item router = first.minArgs(5).noObject();
        NetDoc.one(items, "router");
        b.nickname = router.arg(0);
        if (b.nickname.isEmpty() || b.nickname.length() > 19 || !alnum(b.nickname)) {
            throw new ProtocolException("server descriptor: bad nickname");
        }
        b.address = NetDoc.ipv4(router.arg(1), "server descriptor address");
        b.orPort = NetDoc.port(router.arg(2), "server descriptor ORPort");
        NetDoc.port(router.arg(3), "server descriptor SOCKSPort");
        b.dirPort = NetDoc.port(router.arg(4), "server descriptor DirPort");
        if (b.orPort == 0) {
            throw new ProtocolException("server descriptor: ORPort 0");
        }
        NetDoc.one(items, "bandwidth").minArgs(3).noObject();
        b.published = NetDoc.time(NetDoc.one(items, "published").noObject(), 0);
        NetDoc.Item platform = NetDoc.atMostOne(items, "platform");
        b.platform = platform == null ? null : platform.argText;
        NetDoc.Item proto = NetDoc.atMostOne(items, "proto");
        b.protocols = proto == null ? null : proto.argText;
        NetDoc.Item family = NetDoc.atMostOne(items, "family");
        b.family = family == null ? null : family.argText;
        NetDoc.Item fp = NetDoc.atMostOne(items, "fingerprint");
        if (fp != null) {
            // Ten groups of four hex digits separated by single spaces (dir-spec §2.1.1 "fingerprint").
            StringBuilder hex = new StringBuilder();
            if (fp.noObject().argCount() != 10) {
                throw new ProtocolException("server descriptor: fingerprint is not ten groups of four");
            }
            for (int i = 0; i < 10; i++) {
                if (fp.arg(i).length() != 4) {
                    throw new ProtocolException("server descriptor: fingerprint is not ten groups of four");
                }
                hex.append(fp.arg(i));
            }
            b.fingerprint = NetDoc.hex20(hex.toString(), "server descriptor fingerprint");
        }
        b.signingKey = rsa1024(NetDoc.one(items, "signing-key"));
        NetDoc.Item onion = NetDoc.atMostOne(items, "onion-key");
        if (onion != null) {
            b.onionKey = rsa1024(onion);
            NetDoc.Item occ = NetDoc.atMostOne(items, "onion-key-crosscert");
            if (occ != null) {
                b.onionKeyCrossCert = occ.objectOf("CROSSCERT");
            }
        }
        // Ed25519 identity: a type-4 certificate carrying the identity key in extension 04, the second item
        // of the descriptor (dir-spec §2.1.1 "identity-ed25519").
        if (items.size() < 2 || !items.get(1).keyword.equals("identity-ed25519")) {
            throw new ProtocolException("server descriptor: identity-ed25519 is not the second item");
        }
        b.identityCert = Ed25519Cert.decode(NetDoc.one(items, "identity-ed25519").objectOf("ED25519 CERT"));
        if (b.identityCert.certType() != Ed25519Cert.TYPE_IDENTITY_V_SIGNING
                || b.identityCert.certKeyType() != Ed25519Cert.KEY_ED25519
                || b.identityCert.includedSigningKey() == null) {
            throw new ProtocolException("server descriptor: identity-ed25519 is not a type-4 certificate "
                    + "with an included identity key");
        }
        NetDoc.Item master = NetDoc.atMostOne(items, "master-key-ed25519");
        if (master != null) {
            b.masterKey = Base64.decode(master.minArgs(1).noObject().arg(0), 32, "master-key-ed25519");
        }
        b.ntorKey = Base64.decode(NetDoc.one(items, "ntor-onion-key").minArgs(1).noObject().arg(0), 32,
                "ntor-onion-key");
        NetDoc.Item ncc = NetDoc.one(items, "ntor-onion-key-crosscert").minArgs(1);
        String bit = ncc.arg(0);
        if (!bit.equals("0") && !bit.equals("1")) {
            throw new ProtocolException("ntor-onion-key-crosscert: sign bit " + bit);
        }
        b.ntorCrossCertSign = bit.charAt(0) - '0';
        b.ntorCrossCert = Ed25519Cert.decode(ncc.objectOf("ED25519 CERT"));
        for (NetDoc.Item it : items) {
            if (it.keyword.equals("accept") || it.keyword.equals("reject")) {
                if (b.exitPolicy.size() >= MAX_POLICY_RULES) {
                    throw new ProtocolException("server descriptor: more than " + MAX_POLICY_RULES
                            + " policy lines");
                }
                it.minArgs(1).noObject();
                b.exitPolicy.add(it.keyword + " " + it.arg(0));
            }
        }
        // The two signatures close the descriptor: router-sig-ed25519 second to last, router-signature
        // last; each covers everything before it, so nothing unsigned can hide between them.
        NetDoc.one(items, "router-signature");
        NetDoc.Item edSig = NetDoc.one(items, "router-sig-ed25519");
        if (items.size() < 3 || items.get(items.size() - 2) != edSig) {
            throw new ProtocolException("server descriptor: router-sig-ed25519 is not just before router-signature");
        }
        b.edSignature = Base64.decode(edSig.minArgs(1).noObject().arg(0), 64, "router-sig-ed25519");
        int kwEnd = edSig.start + "router-sig-ed25519".length();
        if (text.charAt(kwEnd) != ' ') {
            throw new ProtocolException("server descriptor: \"router-sig-ed25519\" not followed by a space");
        }
        if (last.argCount() != 0) {
            throw new ProtocolException("server descriptor: arguments after \"router-signature\"");
        }
        b.rsaSignature = last.objectOf("SIGNATURE");
        b.text = text;
        b.start = first.start;
        b.edSignedEnd = kwEnd + 1;
        b.rsaSignedEnd = last.lineEnd;
        b.end = last.end;
        return new ServerDescriptor(b);
    }

    private static boolean alnum(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    private static Rsa.PublicKey rsa1024(NetDoc.Item it) {
        Rsa.PublicKey k = Rsa.PublicKey.fromPkcs1Der(it.objectOf("RSA PUBLIC KEY"));
        if (k.bits() != RSA_BITS) {
            throw new ProtocolException(it.keyword + ": " + k.bits() + "-bit key, expected " + RSA_BITS);
        }
        return k;
    }

    /**
     * Checks every signature of the descriptor at {@code nowSeconds}.
     *
     * @throws ProtocolException naming the first failed check
     */
    public void verify(long nowSeconds) {
        String who = "server descriptor " + nickname;
        byte[] rsaId = rsaIdentity;
        if (fingerprint != null && !Bytes.constantTimeEquals(fingerprint, rsaId)) {
            throw new ProtocolException(who + ": fingerprint is not the signing key's digest");
        }
        // dir-spec §2.1.1 router-signature: PKCS#1 v1.5 (no DigestInfo) over SHA-1 of "router " through
        // the newline after "router-signature".
        if (!signingKey.verifyRawDigest(digest, rsaSignature)) {
            throw new ProtocolException(who + ": bad router-signature");
        }
        byte[] identity = identityCert.includedSigningKey();
        if (masterKey != null && !Bytes.constantTimeEquals(masterKey, identity)) {
            throw new ProtocolException(who + ": master-key-ed25519 differs from the identity-ed25519 key");
        }
        try {
            identityCert.verify(identity, nowSeconds);
        } catch (ProtocolException e) {
            throw new ProtocolException(who + ": identity-ed25519: " + e.getMessage());
        }
        byte[] signing = identityCert.certifiedKey();
        // router-sig-ed25519: Ed25519 by the certified signing key over SHA-256("Tor router descriptor
        // signature v1" || text from "router " through the space after "router-sig-ed25519").
        byte[] edDigest = Rsa.sha256(Bytes.concat(ED_SIG_PREFIX, NetDoc.bytes(text, start, edSignedEnd)));
        if (!Ed25519.verify(signing, edDigest, edSignature)) {
            throw new ProtocolException(who + ": bad router-sig-ed25519");
        }
        // ntor-onion-key-crosscert: a type-0A certificate of the Ed25519 identity, signed by the ntor key
        // taken as an Ed25519 key (dir-spec §2.1.1, cert-spec; tor's ed25519_public_key_from_curve25519).
        if (ntorCrossCert.certType() != Ed25519Cert.TYPE_NTOR_CC_IDENTITY
                || ntorCrossCert.certKeyType() != Ed25519Cert.KEY_ED25519
                || !Bytes.constantTimeEquals(ntorCrossCert.certifiedKey(), identity)) {
            throw new ProtocolException(who + ": ntor-onion-key-crosscert does not certify the identity");
        }
        byte[] ntorAsEd = curve25519ToEd25519(ntorKey, ntorCrossCertSign);
        try {
            ntorCrossCert.verify(ntorAsEd, nowSeconds);
        } catch (ProtocolException e) {
            throw new ProtocolException(who + ": ntor-onion-key-crosscert: " + e.getMessage());
        }
        // onion-key-crosscert: the TAP key's raw PKCS#1 signature over SHA-1(identity key DER) || Ed25519 id.
        if (onionKey != null) {
            if (onionKeyCrossCert == null
                    || !onionKey.verifyRawDigest(Bytes.concat(rsaId, identity), onionKeyCrossCert)) {
                throw new ProtocolException(who + ": bad or missing onion-key-crosscert");
            }
        }
        if (published > nowSeconds + PUBLISHED_SKEW) {
            throw new ProtocolException(who + ": published in the future (" + NetDoc.formatTime(published) + ")");
        }
    }

    /**
     * The Ed25519 public key whose Montgomery form is {@code u}: y = (u - 1) / (u + 1) mod p, with the sign
     * bit given alongside (tor's ed25519_public_key_from_curve25519_public_key, cert-spec ntor cross-cert).
     */
    static byte[] curve25519ToEd25519(byte[] u, int signBit) {
        // Bouncy Castle's field arithmetic mod 2^255 - 19 (already in onionpeer.js for X25519 and Ed25519)
        // instead of java.math.BigInteger, which nothing else in the browser needs (issue 12).
        byte[] le = u.clone();
        le[31] &= 0x7f; // RFC 7748 §5: the top bit of a u-coordinate is ignored
        int[] x = X25519Field.create();
        X25519Field.decode(le, 0, x);
        int[] den = X25519Field.create();
        X25519Field.copy(x, 0, den, 0);
        X25519Field.addOne(den);
        X25519Field.normalize(den);
        if (X25519Field.isZeroVar(den)) {
            throw new ProtocolException("ntor-onion-key: no Ed25519 equivalent");
        }
        int[] num = X25519Field.create();
        X25519Field.copy(x, 0, num, 0);
        X25519Field.subOne(num);
        X25519Field.inv(den, den);
        int[] y = X25519Field.create();
        X25519Field.mul(num, den, y);
        X25519Field.normalize(y);
        byte[] out = new byte[32];
        X25519Field.encode(y, out, 0);
        out[31] = (byte) ((out[31] & 0x7f) | (signBit << 7));
        return out;
    }

    /** SHA-1 of "router " through the newline after "router-signature": the consensus "r" line digest. */
    public byte[] digest() {
        return digest.clone();
    }

    /** The descriptor's bytes as received, "router" through the signature's END line: for passing on verbatim. */
    public byte[] encoded() {
        return NetDoc.bytes(text, start, end);
    }

    public String nickname() {
        return nickname;
    }

    public String address() {
        return address;
    }

    public int orPort() {
        return orPort;
    }

    public int dirPort() {
        return dirPort;
    }

    public long published() {
        return published;
    }

    /** SHA-1 of the RSA identity (signing-key) DER: the relay fingerprint. */
    public byte[] rsaIdentity() {
        return rsaIdentity.clone();
    }

    public Rsa.PublicKey identityKey() {
        return signingKey;
    }

    /** The Ed25519 identity (the key in the identity-ed25519 certificate). */
    public byte[] ed25519Identity() {
        return identityCert.includedSigningKey();
    }

    /** The Ed25519 signing key the identity certifies. */
    public byte[] ed25519SigningKey() {
        return identityCert.certifiedKey();
    }

    /** The ntor (curve25519) onion key, 32 bytes. */
    public byte[] ntorOnionKey() {
        return ntorKey.clone();
    }

    /** The TAP onion key, or null (tor 0.4.9 may omit it). */
    public Rsa.PublicKey onionKey() {
        return onionKey;
    }

    /** The accept/reject lines in order, e.g. "accept 127.0.0.0/8:*", "reject *:*". */
    public List<String> exitPolicy() {
        return exitPolicy;
    }

    /** The "platform" line or null. */
    public String platform() {
        return platform;
    }

    /** The "proto" line or null. */
    public String protocols() {
        return protocols;
    }

    /** The "family" line or null. */
    public String family() {
        return family;
    }

    @Override
    public String toString() {
        return nickname + "~" + Text.asciiUpper(Bytes.hex(rsaIdentity())).substring(0, 8);
    }
}
