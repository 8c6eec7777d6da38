package org.onionpeer.circuit;

import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;

/** Both directions of one hop's relay crypto: forward (Kf, Df: toward the exit) and backward (Kb, Db). */
public final class HopCrypto {
    private final RelayLayer forward;
    private final RelayLayer backward;

    public HopCrypto(HopKeys keys, RelayPrimitives p) {
        this.forward = new RelayLayer(keys.kf(), keys.df(), p);
        this.backward = new RelayLayer(keys.kb(), keys.db(), p);
    }

    public RelayLayer forward() {
        return forward;
    }

    public RelayLayer backward() {
        return backward;
    }
}
