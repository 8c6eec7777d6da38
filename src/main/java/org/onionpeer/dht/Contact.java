package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * A DHT entry (Peersm "[IDN, modulusN, IP:port(N bridge), [IDx]]"): the peer's ID, its identity key (SPKI
 * DER), the bridge that can introduce it (or null) and up to {@link #MAX_INTRODUCERS} peers that can
 * introduce it without a bridge. Only built when ID == SHA-1(key), so a peer cannot claim an ID it has no
 * key for, nor place itself at a chosen point of the ID space without grinding keys.
 *
 * <p>A contact may also carry its router entry: opaque here, a signed {@code org.onionpeer.peer.PeerCert}
 * naming the onion key others use for ntor; whoever builds a circuit through the contact verifies it first.
 *
 * <p>Wire form: ID (20), key length (2), key, bridge ({@link BridgeAddress}), introducer count (1), IDs (20
 * each), router entry length (1, 0 = none), router entry.
 */
public final class Contact {
    public static final int MAX_KEY = 300; // Ed25519 (44), P-256 (91) and RSA up to 2048 bits (294) SPKIs
    public static final int MAX_INTRODUCERS = 4;
    public static final String BAD_ID = "contact ID is not SHA-1 of its key";

    private final NodeId id;
    private final byte[] key;
    private final BridgeAddress bridge;
    private final List<NodeId> introducers;
    private byte[] router;

    private Contact(NodeId id, byte[] key, BridgeAddress bridge, List<NodeId> introducers) {
        if (key.length < 1 || key.length > MAX_KEY) {
            throw new ProtocolException("contact key length out of 1..300");
        }
        if (introducers.size() > MAX_INTRODUCERS) {
            throw new ProtocolException("contact has more than 4 introducers");
        }
        this.id = id;
        this.key = key.clone();
        this.bridge = bridge;
        this.introducers = Collections.unmodifiableList(new ArrayList<>(introducers));
    }

    /** A contact for {@code key}, its ID derived from it. */
    public static Contact of(byte[] key, BridgeAddress bridge, List<NodeId> introducers) {
        return new Contact(NodeId.ofKey(key), key, bridge, introducers);
    }

    /** A contact as claimed by someone: rejected with {@link #BAD_ID} unless ID == SHA-1(key). */
    public static Contact verified(NodeId id, byte[] key, BridgeAddress bridge, List<NodeId> introducers) {
        if (!NodeId.ofKey(key).equals(id)) {
            throw new ProtocolException(BAD_ID);
        }
        return new Contact(id, key, bridge, introducers);
    }

    /** Skips the ID check: only for tests that play a lying peer. */
    static Contact unchecked(NodeId id, byte[] key, BridgeAddress bridge, List<NodeId> introducers) {
        return new Contact(id, key, bridge, introducers);
    }

    public NodeId id() {
        return id;
    }

    public byte[] key() {
        return key.clone();
    }

    /** The introducing bridge, or null. */
    public BridgeAddress bridge() {
        return bridge;
    }

    public List<NodeId> introducers() {
        return introducers;
    }

    /** This contact with a router entry (at most 255 bytes; verified by its user, not here). */
    public Contact withRouter(byte[] entry) {
        if (entry.length > 255) {
            throw new ProtocolException("contact router entry over 255 bytes");
        }
        Contact c = new Contact(id, key, bridge, introducers);
        c.router = entry.length == 0 ? null : entry.clone();
        return c;
    }

    /** The router entry as sent, or null. */
    public byte[] router() {
        return router == null ? null : router.clone();
    }

    public void write(ByteWriter out) {
        id.write(out);
        out.u16(key.length).bytes(key);
        BridgeAddress.writeOptional(bridge, out);
        out.u8(introducers.size());
        for (NodeId i : introducers) {
            i.write(out);
        }
        out.u8(router == null ? 0 : router.length);
        if (router != null) {
            out.bytes(router);
        }
    }

    /** Reads and verifies one contact. */
    public static Contact read(ByteReader r) {
        NodeId id = NodeId.read(r);
        int keyLen = r.u16();
        if (keyLen < 1 || keyLen > MAX_KEY) {
            throw new ProtocolException("contact key length out of 1..300");
        }
        byte[] key = r.bytes(keyLen);
        BridgeAddress bridge = BridgeAddress.readOptional(r);
        int n = r.u8();
        if (n > MAX_INTRODUCERS) {
            throw new ProtocolException("contact has more than 4 introducers");
        }
        List<NodeId> intro = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            intro.add(NodeId.read(r));
        }
        byte[] routerEntry = r.bytes(r.u8());
        // Hash last: the cheap checks above reject most garbage before we spend a SHA-1 on it.
        Contact c = verified(id, key, bridge, intro);
        c.router = routerEntry.length == 0 ? null : routerEntry;
        return c;
    }

    public byte[] encode() {
        ByteWriter w = new ByteWriter(64 + key.length + (router == null ? 0 : router.length));
        write(w);
        return w.toByteArray();
    }

    public static Contact decode(byte[] data) {
        ByteReader r = new ByteReader(data);
        Contact c = read(r);
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after contact");
        }
        return c;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof Contact)) {
            return false;
        }
        Contact c = (Contact) o;
        return c.id.equals(id) && Arrays.equals(c.key, key)
                && (bridge == null ? c.bridge == null : bridge.equals(c.bridge)) && c.introducers.equals(introducers)
                && Arrays.equals(c.router, router);
    }

    @Override
    public int hashCode() {
        return id.hashCode();
    }

    @Override
    public String toString() {
        return "Contact[" + id.shortHex() + (bridge == null ? "" : " via " + bridge) + "]";
    }
}
