package org.onionpeer.circuit;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;

/**
 * The onion proxy's relay crypto for one circuit (tor-spec §6.1 "Routing relay cells"): one {@link HopCrypto}
 * per hop, hop 0 being the first (guard) hop. Works in place on 509-byte relay bodies; no allocation per
 * cell except the digest fork of a recognized cell.
 *
 * <p>Outbound: {@link #encrypt} stamps the body with the target hop's forward digest, then encrypts with
 * Kf of that hop, ..., Kf of hop 0. Inbound: {@link #decrypt} peels hop 0, 1, ... in order and after each
 * layer asks that hop's backward digest whether the cell is its own; it returns the originating hop or
 * {@link #NOT_RECOGNIZED}, on which the caller must close the circuit (tor-spec: an OP that cannot recognize
 * an inbound cell tears the circuit down). Not thread-safe: the circuit belongs to one event loop.
 */
public final class ClientCircuitCrypto {
    /** {@link #decrypt}'s answer when no hop recognized the cell: close the circuit. */
    public static final int NOT_RECOGNIZED = -1;

    private final RelayPrimitives primitives;
    private final List<HopCrypto> hops = new ArrayList<>();

    public ClientCircuitCrypto(RelayPrimitives primitives) {
        this.primitives = primitives;
    }

    /** Adds the next hop (after CREATED/EXTENDED); returns its index. */
    public int addHop(HopKeys keys) {
        return addHop(new HopCrypto(keys, primitives));
    }

    /** Adds the next hop's layer, made by its owner (a circuit's {@link Hop}); returns its index. */
    public int addHop(HopCrypto layer) {
        hops.add(layer);
        return hops.size() - 1;
    }

    public int hopCount() {
        return hops.size();
    }

    /** Forgets hops {@code keep}, {@code keep+1}, ... (after TRUNCATED from hop {@code keep-1}). */
    public void truncate(int keep) {
        if (keep < 0 || keep > hops.size()) {
            throw new IllegalArgumentException("cannot keep " + keep + " of " + hops.size() + " hops");
        }
        while (hops.size() > keep) {
            hops.remove(hops.size() - 1);
        }
    }

    /**
     * Prepares an outbound body for {@code hop} in place: Recognized must already be 0 (the encoder's job);
     * the digest field is filled in, then the layers of {@code hop} down to 0 are applied.
     */
    public void encrypt(byte[] body, int off, int hop) {
        HopCrypto target = hop(hop);
        target.forward().stamp(body, off);
        for (int i = hop; i >= 0; i--) {
            hops.get(i).forward().crypt(body, off);
        }
    }

    /**
     * Decrypts an inbound body in place and returns the index of the hop that originated it, or
     * {@link #NOT_RECOGNIZED} (the body is then fully peeled garbage and the circuit must be closed).
     * Never throws on any body content; a buffer shorter than 509 bytes is a ProtocolException.
     */
    public int decrypt(byte[] body, int off) {
        RelayBody.check(body, off);
        for (int i = 0; i < hops.size(); i++) {
            RelayLayer b = hops.get(i).backward();
            b.crypt(body, off);
            if (b.recognize(body, off)) {
                return i;
            }
        }
        return NOT_RECOGNIZED;
    }

    /**
     * 20-byte forward running digest of {@code hop}. Read right after {@link #encrypt} of a DATA cell, it is
     * the value the SENDME v1 that this cell triggers at {@code hop} must carry (prop289).
     */
    public void forwardDigest(int hop, byte[] out, int off) {
        hop(hop).forward().digest(out, off);
    }

    /**
     * 20-byte backward running digest of {@code hop}. Read right after {@link #decrypt} returned {@code hop}
     * for a DATA cell, it is the value our SENDME v1 to {@code hop} must carry (prop289).
     */
    public void backwardDigest(int hop, byte[] out, int off) {
        hop(hop).backward().digest(out, off);
    }

    private HopCrypto hop(int i) {
        if (i < 0 || i >= hops.size()) {
            throw new IllegalArgumentException("no hop " + i + " on a circuit of " + hops.size());
        }
        return hops.get(i);
    }
}
