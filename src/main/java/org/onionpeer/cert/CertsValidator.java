package org.onionpeer.cert;

import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.crypto.Rsa;

/**
 * Authenticates a responder from its CERTS cell, as a link initiator (OP or OR) does on link protocol &gt;= 3
 * with Ed25519 identities (tor-spec §4.2, "To authenticate the responder as having a given Ed25519,RSA
 * identity key combination"). The checks, in tor's order of concern:
 * <ul>
 * <li>no CertType appears twice; exactly one each of types 2, 4, 5 and 7;</li>
 * <li>type 2 is an X.509 certificate with a 1024-bit RSA key, correctly self-signed, within its validity
 * window (with tor's slop of 2 days past / 30 days future, x509_internal.h);</li>
 * <li>type 4 (identity-&gt;signing) carries its signing (identity) key in extension 04, certifies an Ed25519
 * key, is signed by that identity and unexpired;</li>
 * <li>type 5 (signing-&gt;TLS link) is signed by the signing key certified in type 4, unexpired, and certifies
 * the link through the caller's {@link LinkBinding} (SHA-256 of the TLS certificate on TLS);</li>
 * <li>type 7 cross-certifies the Ed25519 identity with the RSA identity key of type 2 and is unexpired.</li>
 * </ul>
 * Types 1 and 3 (RSA link/auth) are not consulted on this path, as in tor once Ed25519 certs are present;
 * unknown types are ignored. RSA-only responders (no type 4) are refused: every supported relay has Ed25519
 * keys.
 */
public final class CertsValidator {
    /** tor's TOR_X509_PAST_SLOP and TOR_X509_FUTURE_SLOP (x509_internal.h). */
    public static final long X509_PAST_SLOP = 2L * 24 * 60 * 60;
    public static final long X509_FUTURE_SLOP = 30L * 24 * 60 * 60;
    public static final int RSA_IDENTITY_BITS = 1024;

    private CertsValidator() {
    }

    /**
     * Validates a responder's CERTS cell at {@code nowSeconds} (Unix time) and returns the identity it proves.
     *
     * @throws ProtocolException naming the first failed check
     */
    public static RelayIdentity validateResponder(CertsCell cell, LinkBinding link, long nowSeconds) {
        Chain c = chain(cell, nowSeconds);
        byte[] signingLink = require(cell, CertsCell.TYPE_ED_SIGNING_V_TLS, "Ed25519 signing->link (type 5)");

        // Type 5: the signing key certifies this link.
        Ed25519Cert toLink = Ed25519Cert.decode(signingLink);
        if (toLink.certType() != Ed25519Cert.TYPE_SIGNING_V_TLS_CERT) {
            throw new ProtocolException("CERTS: type 5 slot holds an Ed25519 cert of type " + toLink.certType());
        }
        // cert-spec A.4: tor before 0.4.5.1-alpha wrote 01 here for every type, so 01 is accepted too.
        if (toLink.certKeyType() != Ed25519Cert.KEY_SHA256_OF_X509
                && toLink.certKeyType() != Ed25519Cert.KEY_ED25519) {
            throw new ProtocolException("CERTS: signing->link cert has key type " + toLink.certKeyType());
        }
        toLink.verify(c.signingKey, nowSeconds);
        if (!link.matches(toLink.certifiedKey())) {
            throw new ProtocolException("CERTS: signing->link cert does not match this link's certificate");
        }
        return c.identity;
    }

    /** What an initiator's CERTS cell proves once its AUTHENTICATE checks out. */
    public static final class Initiator {
        public final RelayIdentity identity;
        /** The Ed25519 link-authentication key (type 6) that must have signed AUTHENTICATE. */
        public final byte[] authKey;

        Initiator(RelayIdentity identity, byte[] authKey) {
            this.identity = identity;
            this.authKey = authKey;
        }
    }

    /**
     * Validates an initiator's CERTS cell (tor-spec §4.2, "To authenticate the initiator as having a given
     * Ed25519,RSA identity key combination"): types 2, 4, 6 and 7. This alone proves nothing (anyone can
     * replay certificates); the AUTHENTICATE cell signed by the type-6 key does ({@link Auth0003}).
     */
    public static Initiator validateInitiator(CertsCell cell, long nowSeconds) {
        Chain c = chain(cell, nowSeconds);
        Ed25519Cert toAuth = Ed25519Cert.decode(require(cell, CertsCell.TYPE_ED_SIGNING_V_AUTH,
                "Ed25519 signing->authenticate (type 6)"));
        if (toAuth.certType() != Ed25519Cert.TYPE_SIGNING_V_LINK_AUTH) {
            throw new ProtocolException("CERTS: type 6 slot holds an Ed25519 cert of type " + toAuth.certType());
        }
        if (toAuth.certKeyType() != Ed25519Cert.KEY_ED25519) {
            throw new ProtocolException("CERTS: signing->authenticate cert does not certify an Ed25519 key");
        }
        toAuth.verify(c.signingKey, nowSeconds);
        return new Initiator(c.identity, toAuth.certifiedKey());
    }

    /**
     * SHA-256 of the RSA identity key (PKCS#1 DER) in a CERTS cell's type-2 certificate: AUTH0003's CID or SID.
     * Call after the cell validated.
     */
    public static byte[] rsaIdentityDigest(CertsCell cell) {
        return Rsa.sha256(X509Cert.decode(require(cell, CertsCell.TYPE_RSA_IDENTITY, "RSA identity (type 2)"))
                .rsaPublicKey().toPkcs1Der());
    }

    private static final class Chain {
        final RelayIdentity identity;
        final byte[] signingKey;

        Chain(RelayIdentity identity, byte[] signingKey) {
            this.identity = identity;
            this.signingKey = signingKey;
        }
    }

    /** Types 2, 4 and 7, the part of the chain both roles present. */
    private static Chain chain(CertsCell cell, long nowSeconds) {
        int dup = cell.firstDuplicateType();
        if (dup >= 0) {
            throw new ProtocolException("CERTS: duplicate certificate of type " + dup);
        }
        byte[] idDer = require(cell, CertsCell.TYPE_RSA_IDENTITY, "RSA identity (type 2)");
        byte[] idSigning = require(cell, CertsCell.TYPE_ED_IDENTITY_V_SIGNING, "Ed25519 identity->signing (type 4)");
        byte[] cross = require(cell, CertsCell.TYPE_RSA_ED_CROSSCERT, "RSA->Ed25519 cross-cert (type 7)");

        // Type 2: the legacy RSA identity, a self-signed 1024-bit key.
        X509Cert idCert = X509Cert.decode(idDer);
        Rsa.PublicKey rsaId = idCert.rsaPublicKey();
        if (rsaId == null) {
            throw new ProtocolException("CERTS: identity certificate has no RSA key");
        }
        if (rsaId.bits() != RSA_IDENTITY_BITS) {
            throw new ProtocolException("CERTS: RSA identity key has " + rsaId.bits() + " bits, not 1024");
        }
        if (!idCert.signatureValidBy(rsaId)) {
            throw new ProtocolException("CERTS: RSA identity certificate is not correctly self-signed");
        }
        if (!idCert.validAt(nowSeconds, X509_PAST_SLOP, X509_FUTURE_SLOP)) {
            throw new ProtocolException("CERTS: RSA identity certificate is expired or not yet valid");
        }

        // Type 4: the Ed25519 identity certifies the signing key and names itself in extension 04.
        Ed25519Cert idToSigning = Ed25519Cert.decode(idSigning);
        if (idToSigning.certType() != Ed25519Cert.TYPE_IDENTITY_V_SIGNING) {
            throw new ProtocolException("CERTS: type 4 slot holds an Ed25519 cert of type " + idToSigning.certType());
        }
        if (idToSigning.certKeyType() != Ed25519Cert.KEY_ED25519) {
            throw new ProtocolException("CERTS: identity->signing cert does not certify an Ed25519 key");
        }
        byte[] edIdentity = idToSigning.includedSigningKey();
        if (edIdentity == null) {
            throw new ProtocolException("CERTS: identity->signing cert lacks the signed-with-ed25519-key extension");
        }
        idToSigning.verify(edIdentity, nowSeconds);

        // Type 7: the RSA identity vouches for the Ed25519 identity.
        RsaCrossCert.decode(cross).verify(rsaId, edIdentity, nowSeconds);
        return new Chain(RelayIdentity.of(rsaId, edIdentity), idToSigning.certifiedKey());
    }

    private static byte[] require(CertsCell cell, int type, String name) {
        byte[] b = cell.body(type);
        if (b == null) {
            throw new ProtocolException("CERTS: missing " + name + " certificate");
        }
        return b;
    }
}
