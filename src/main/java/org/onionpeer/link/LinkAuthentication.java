package org.onionpeer.link;

import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Authenticate;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cert.Auth0003;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.CertsValidator;
import org.onionpeer.cert.Ed25519Cert;
import org.onionpeer.cert.LinkAuthKeys;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.crypto.Rsa;
import org.onionpeer.platform.Entropy;
import org.onionpeer.transport.Transport;

/**
 * One link's share of initiator authentication (tor-spec §4.4.2, AUTH0003), for {@link Channel}: the
 * handshake transcripts both sides sign (SLOG, CLOG), and building or checking the AUTHENTICATE cell.
 *
 * <p>Transcripts are the cells' wire bytes, from VERSIONS up to (not including) the first NETINFO or
 * AUTHENTICATE in each direction: for the responder's cells that is VERSIONS, CERTS and AUTH_CHALLENGE, for
 * the initiator's VERSIONS and CERTS, padding included, as C tor records them (channeltls.c). Both are
 * dropped once the link opens; a cell that freezes a transcript is not part of it.
 */
final class LinkAuthentication {
    private ByteWriter sent = new ByteWriter();
    private ByteWriter received = new ByteWriter();
    private boolean sentFrozen;
    private boolean receivedFrozen;
    private CertsCell peerCerts;
    // Responder side: the initiator's validated CERTS and the exporter output it must have signed.
    private CertsValidator.Initiator initiator;
    private byte[] initiatorSecrets;

    void sent(int command, byte[] wire) {
        if (command == CellCommand.NETINFO || command == CellCommand.AUTHENTICATE) {
            sentFrozen = true;
        }
        if (sent != null && !sentFrozen) {
            sent.bytes(wire);
        }
    }

    void received(Cell cell, LinkFormat format) {
        int command = cell.command();
        if (command == CellCommand.NETINFO || command == CellCommand.AUTHENTICATE) {
            receivedFrozen = true;
        }
        if (received != null && !receivedFrozen) {
            received.bytes(cell.encode(command == CellCommand.VERSIONS ? LinkFormat.INITIAL : format));
        }
    }

    void peerCerts(CertsCell certs) {
        peerCerts = certs;
    }

    /** The link is open: nothing more to sign or check. */
    void done() {
        sent = null;
        received = null;
        peerCerts = null;
        initiator = null;
        initiatorSecrets = null;
    }

    /**
     * As initiator, on AUTH_CHALLENGE (recorded already): our CERTS cell, then our AUTHENTICATE, each sent by
     * {@code out} in that order; false (nothing sent) when the transport cannot export keying material.
     */
    boolean authenticate(LinkAuthKeys ours, RelayIdentity responder, Transport transport, Entropy entropy,
            java.util.function.Consumer<Cell> out) {
        byte[] cid = ours.rsaIdentityDigest();
        byte[] secrets = transport.exportKeyingMaterial(Auth0003.EXPORTER_LABEL, Auth0003.exporterContext(cid),
                Auth0003.EXPORTER_LENGTH);
        if (secrets == null || peerCerts == null || sent == null) {
            return false;
        }
        byte[] slog = Rsa.sha256(received.toByteArray());
        out.accept(new Cell(0, CellCommand.CERTS, ours.certs().encode()));
        byte[] clog = Rsa.sha256(sent.toByteArray());
        // SCERT: the responder's type-5 certificate certifies SHA-256 of its TLS certificate, and the CERTS
        // check already bound it to this TLS session.
        byte[] scert = Ed25519Cert.decode(peerCerts.body(CertsCell.TYPE_ED_SIGNING_V_TLS)).certifiedKey();
        Auth0003 body = Auth0003.of(cid, CertsValidator.rsaIdentityDigest(peerCerts), ours.identity().ed25519Identity(),
                responder.ed25519Identity(), slog, clog, scert, secrets);
        byte[] rand = new byte[Auth0003.RAND_LEN];
        entropy.nextBytes(rand);
        out.accept(new Authenticate(Authenticate.TYPE_ED25519_SHA256_RFC5705, body.sign(ours.authKey(), rand))
                .toCell(0));
        return true;
    }

    /**
     * As responder, on the initiator's CERTS: validates them when this transport lets us check an
     * AUTHENTICATE later (TLS with an exporter); otherwise they prove nothing and are only parsed.
     *
     * @throws ProtocolException when the chain is invalid (tor closes such a link too)
     */
    void initiatorCerts(CertsCell certs, Transport transport, long nowSeconds) {
        byte[] probe = transport.exportKeyingMaterial(Auth0003.EXPORTER_LABEL, new byte[32], Auth0003.EXPORTER_LENGTH);
        if (probe == null) {
            return;
        }
        CertsValidator.Initiator checked = CertsValidator.validateInitiator(certs, nowSeconds);
        byte[] cid = CertsValidator.rsaIdentityDigest(certs);
        peerCerts = certs;
        initiator = checked;
        initiatorSecrets = transport.exportKeyingMaterial(Auth0003.EXPORTER_LABEL, Auth0003.exporterContext(cid),
                Auth0003.EXPORTER_LENGTH);
    }

    /** True once {@link #initiatorCerts} found the transport able to check an AUTHENTICATE. */
    boolean canVerify() {
        return initiator != null;
    }

    /**
     * As responder: checks an AUTH0003 AUTHENTICATE against our CERTS cell {@code ourCerts} and the
     * transcripts, returning the identity it proves.
     *
     * @throws ProtocolException naming what did not match
     */
    RelayIdentity verify(Authenticate auth, CertsCell ourCerts) {
        if (initiator == null || sent == null) {
            throw new ProtocolException("AUTHENTICATE without verifiable initiator CERTS");
        }
        if (auth.authType() != Authenticate.TYPE_ED25519_SHA256_RFC5705) {
            throw new ProtocolException("AUTHENTICATE of type " + auth.authType() + ", we accept only AUTH0003");
        }
        byte[] ourEd = Ed25519Cert.decode(ourCerts.body(CertsCell.TYPE_ED_IDENTITY_V_SIGNING)).includedSigningKey();
        byte[] scert = Ed25519Cert.decode(ourCerts.body(CertsCell.TYPE_ED_SIGNING_V_TLS)).certifiedKey();
        Auth0003 expected = Auth0003.of(CertsValidator.rsaIdentityDigest(peerCerts),
                CertsValidator.rsaIdentityDigest(ourCerts), initiator.identity.ed25519Identity(), ourEd,
                Rsa.sha256(sent.toByteArray()), Rsa.sha256(received.toByteArray()), scert,
                initiatorSecrets);
        expected.verify(auth.authentication(), initiator.authKey);
        return initiator.identity;
    }
}
