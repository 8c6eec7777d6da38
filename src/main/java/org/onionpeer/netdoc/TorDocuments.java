package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.dir.RelayInfo;

/**
 * The checks a page makes on the Tor documents its bridge passes on (see node/TorNetworkCheck), with the
 * parsers and signature checks the JVM's onion proxy uses: the consensus against its trusted authorities'
 * key certificates, then every server descriptor received against the consensus. Each refusal is one
 * {@link ProtocolException} whose message says what was refused and why.
 *
 * <p>In the browser this code is in its own bundle (torcheck.js, loaded only when the bridge has a Tor
 * network behind it: onionpeer.js has no room for the parsers and RSA); see node/TorDocumentsFetch.
 */
public final class TorDocuments {
    private TorDocuments() {
    }

    /**
     * Parses and verifies a consensus with the key certificates given (only those of {@code trusted}
     * authorities count) at {@code now}. @throws ProtocolException "Tor consensus refused: ..." saying why
     */
    public static Consensus consensus(String consensusText, String keysText, List<byte[]> trusted, long now) {
        try {
            Consensus c = Consensus.parse(consensusText);
            // No certificates at all: nothing can verify, and the verification says so in its own words.
            c.verify(keysText.isEmpty() ? new ArrayList<>() : AuthorityCertificate.parseAll(keysText), trusted, now);
            return c;
        } catch (ProtocolException e) {
            String m = e.getMessage();
            throw new ProtocolException("Tor consensus refused: " + (m.startsWith("consensus: ") ? m.substring(11) : m));
        }
    }

    /**
     * The relays of a verified consensus with the descriptors of {@code descriptorsText}: every descriptor
     * there must be one the consensus names (by digest, for the router of that RSA identity) and verify at
     * {@code now}, else nothing is used. Routers whose descriptor is missing are left out (the bridge may
     * not hold them all: that costs the page those relays, nothing else).
     *
     * @throws ProtocolException "Tor server descriptor refused: ..." saying which and why
     */
    public static List<RelayInfo> relays(Consensus c, String descriptorsText, long now) {
        Map<String, Consensus.Router> named = new HashMap<>();
        for (Consensus.Router r : c.routers()) {
            if (r.descriptorDigest() != null) {
                named.put(Bytes.hex(r.descriptorDigest()), r);
            }
        }
        List<ServerDescriptor> descs = descriptorsText.isEmpty() ? new ArrayList<>()
                : ServerDescriptor.parseAll(descriptorsText);
        for (ServerDescriptor d : descs) {
            String digest = Bytes.hex(d.digest());
            Consensus.Router r = named.get(digest);
            String who = "Tor server descriptor refused: " + d.nickname() + " (digest "
                    + Text.asciiUpper(digest) + ")";
            if (r == null) {
                throw new ProtocolException(who + " is not one the consensus names");
            }
            if (!Bytes.constantTimeEquals(r.rsaIdentity(), d.rsaIdentity())) {
                throw new ProtocolException(who + " is not of the router the consensus names for it");
            }
            try {
                d.verify(now);
            } catch (ProtocolException e) {
                throw new ProtocolException(who + ": " + e.getMessage());
            }
        }
        return TorDirectory.relays(c, descs, now);
    }
}
