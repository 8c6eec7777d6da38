package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.link.PeerAuth;

/**
 * The authentication of one WebRTC link: our certificate for it (signed over our and their DTLS
 * fingerprints), and the check of theirs. The identity a peer proves is a {@link RelayIdentity} whose
 * 20-byte half is the peer's ID (SHA-1 of its key's SPKI, as a relay's RSA fingerprint is SHA-1 of its
 * key) and whose Ed25519 half is its identity key, so links, EXTEND2 link specifiers and ntor (NODEID = the
 * ID) treat pages and relays alike.
 */
public final class PeerLinkAuth implements PeerAuth {
    private final PeerCert ours;
    private final byte[] localFingerprint;
    private final byte[] remoteFingerprint;
    private PeerCert theirs;

    /**
     * @param ours our certificate, signed over (local, remote) = ({@code localFingerprint},
     *     {@code remoteFingerprint})
     */
    public PeerLinkAuth(PeerCert ours, byte[] localFingerprint, byte[] remoteFingerprint) {
        this.ours = ours;
        this.localFingerprint = localFingerprint.clone();
        this.remoteFingerprint = remoteFingerprint.clone();
    }

    /** The identity a peer certificate proves, as links and circuits know identities. */
    public static RelayIdentity identityOf(PeerCert cert) {
        return new RelayIdentity(cert.id().bytes(), cert.identityKey());
    }

    @Override
    public CertsCell ours() {
        List<CertsCell.Entry> e = new ArrayList<>();
        e.add(new CertsCell.Entry(PeerCert.CERT_TYPE, ours.encode()));
        return new CertsCell(e);
    }

    @Override
    public RelayIdentity verify(CertsCell certs, long nowSeconds) {
        CertsCell.Entry found = null;
        for (CertsCell.Entry e : certs.entries()) {
            if (e.type == PeerCert.CERT_TYPE) {
                if (found != null) {
                    throw new ProtocolException("two peer certificates in CERTS");
                }
                found = e;
            }
        }
        if (found == null) {
            throw new ProtocolException("CERTS has no peer certificate");
        }
        PeerCert c = PeerCert.decode(found.body());
        // They signed their fingerprint as local and ours as remote.
        c.verify(remoteFingerprint, localFingerprint, nowSeconds);
        theirs = c;
        return identityOf(c);
    }

    /** The peer's certificate once verified (its onion key is the one to use for ntor), else null. */
    public PeerCert theirs() {
        return theirs;
    }
}
