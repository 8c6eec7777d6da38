package org.onionpeer.cert;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Ed25519;

/**
 * The body of an AUTHENTICATE cell of type 3, Ed25519-SHA256-RFC5705 (tor-spec §4.4.2): TYPE "AUTH0003"(8),
 * CID(32), SID(32), CID_ED(32), SID_ED(32), SLOG(32), CLOG(32), SCERT(32), TLSSECRETS(32), RAND(24), then
 * SIG(64), an Ed25519 signature of everything before it by the initiator's link-authentication key (the key
 * its CERTS type-6 certificate certifies).
 *
 * <p>Two facts the spec text does not say and C tor does (relay_handshake.c,
 * connection_or_compute_authenticate_cell_body): the RFC 5705 exporter's context is CID (SHA-256 of the
 * initiator's RSA identity key), not the Ed25519 identity; and a responder takes exactly the signed part plus
 * 64 signature bytes (authlen - 64 must be the 288 signed bytes), comparing everything but RAND.
 */
public final class Auth0003 {
    public static final byte[] TYPE = Bytes.ascii("AUTH0003");
    /** The RFC 5705 label (tor-spec §4.4.2). */
    public static final String EXPORTER_LABEL = "EXPORTER FOR TOR TLS CLIENT BINDING AUTH0003";
    public static final int EXPORTER_LENGTH = 32;
    /** TYPE through TLSSECRETS: the part a responder recomputes and compares. */
    public static final int FIXED_LEN = 8 + 8 * 32;
    public static final int RAND_LEN = 24;
    public static final int SIGNED_LEN = FIXED_LEN + RAND_LEN;
    public static final int LEN = SIGNED_LEN + Ed25519.SIGNATURE_LENGTH;

    private static final String[] FIELDS = {"TYPE", "CID", "SID", "CID_ED", "SID_ED", "SLOG", "CLOG", "SCERT",
        "TLSSECRETS"};

    private final byte[] fixed;

    private Auth0003(byte[] fixed) {
        this.fixed = fixed;
    }

    /**
     * The fields both sides compute: {@code cid}/{@code sid} are SHA-256 of the initiator's/responder's RSA
     * identity key (PKCS#1 DER), {@code cidEd}/{@code sidEd} their Ed25519 identities, {@code slog}/{@code clog}
     * SHA-256 of the handshake bytes the responder/initiator sent (VERSIONS through AUTH_CHALLENGE; VERSIONS
     * and CERTS), {@code scert} SHA-256 of the responder's TLS certificate, {@code tlsSecrets} the exporter
     * output (see {@link #exporterContext}).
     */
    public static Auth0003 of(byte[] cid, byte[] sid, byte[] cidEd, byte[] sidEd, byte[] slog, byte[] clog,
            byte[] scert, byte[] tlsSecrets) {
        byte[][] f = {cid, sid, cidEd, sidEd, slog, clog, scert, tlsSecrets};
        ByteWriter w = new ByteWriter(FIXED_LEN).bytes(TYPE);
        for (int i = 0; i < f.length; i++) {
            if (f[i].length != 32) {
                throw new ProtocolException("AUTH0003 " + FIELDS[i + 1] + " must be 32 bytes, not " + f[i].length);
            }
            w.bytes(f[i]);
        }
        return new Auth0003(w.toByteArray());
    }

    /** The exporter context C tor uses: CID, SHA-256 of the initiator's RSA identity key. */
    public static byte[] exporterContext(byte[] cid) {
        return cid.clone();
    }

    /** The AUTHENTICATE body, signed by {@code authKey} with the initiator's 24 random bytes. */
    public byte[] sign(Ed25519.KeyPair authKey, byte[] rand) {
        if (rand.length != RAND_LEN) {
            throw new IllegalArgumentException("RAND must be " + RAND_LEN + " bytes");
        }
        byte[] signed = Bytes.concat(fixed, rand);
        return Bytes.concat(signed, authKey.sign(signed));
    }

    /**
     * Checks an initiator's AUTHENTICATE body against these expected fields and the link-authentication key
     * its CERTS cell certified.
     *
     * @throws ProtocolException naming the first field that differs, or the signature
     */
    public void verify(byte[] authentication, byte[] authKey) {
        if (authentication.length != LEN) {
            throw new ProtocolException("AUTH0003 body is " + authentication.length + " bytes, not " + LEN);
        }
        ByteReader r = new ByteReader(authentication);
        for (int i = 0; i < FIELDS.length; i++) {
            int len = i == 0 ? 8 : 32;
            int at = i == 0 ? 0 : 8 + 32 * (i - 1);
            if (!Bytes.constantTimeEquals(r.bytes(len), Bytes.slice(fixed, at, len))) {
                throw new ProtocolException("AUTH0003 " + FIELDS[i] + " does not match this link");
            }
        }
        if (!Ed25519.verify(authKey, authentication, 0, SIGNED_LEN, Bytes.slice(authentication, SIGNED_LEN,
                Ed25519.SIGNATURE_LENGTH))) {
            throw new ProtocolException("AUTH0003 signature is not by the certified authentication key");
        }
    }

    /** TYPE through TLSSECRETS. */
    public byte[] fixedPart() {
        return fixed.clone();
    }
}
