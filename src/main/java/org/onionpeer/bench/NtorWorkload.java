package org.onionpeer.bench;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.crypto.Ntor;

/**
 * ntor handshakes (tor-spec §5.1.4) per second, one side at a time. The client side is what an onion proxy
 * pays per hop (make X, then check AUTH and derive keys from the reply); the server side is what a relay
 * pays per CREATE2. Inputs are made ahead, deterministically, so only the handshake is timed.
 */
public final class NtorWorkload implements Workload {
    private static final int SETS = 32;

    private final boolean client;
    /** Which X25519 to time: null leaves the platform's; true doubles, false Bouncy Castle (the bench page). */
    private final Boolean doubles;
    private final byte[] nodeId = new byte[20];
    private final List<Ntor.Keypair> onionKeys = new ArrayList<>();
    private final byte[][] xs = new byte[SETS][];
    private final byte[][] ys = new byte[SETS][];
    private final byte[][] onionskins = new byte[SETS][];
    private final byte[][] replies = new byte[SETS][];
    private int next;

    public NtorWorkload(boolean client) {
        this(client, null);
    }

    public NtorWorkload(boolean client, Boolean doubles) {
        this.client = client;
        this.doubles = doubles;
        if (doubles != null) {
            org.onionpeer.crypto.Curve25519.use(doubles);
        }
        for (int i = 0; i < 20; i++) {
            nodeId[i] = (byte) (i * 7 + 1);
        }
        Ntor.Keypair b = Ntor.Keypair.fromSecret(fill(32, 99));
        onionKeys.add(b);
        for (int i = 0; i < SETS; i++) {
            xs[i] = fill(32, 2 * i + 1);
            ys[i] = fill(32, 2 * i + 2);
            Ntor.Client c = Ntor.client(nodeId, b.publicKey(), xs[i]);
            onionskins[i] = c.onionskin();
            replies[i] = Ntor.server(nodeId, onionKeys, onionskins[i], ys[i]).reply;
        }
    }

    private static byte[] fill(int n, int seed) {
        byte[] b = new byte[n];
        int s = seed * 1103515245 + 12345;
        for (int i = 0; i < n; i++) {
            s = s * 1103515245 + 12345;
            b[i] = (byte) (s >>> 16);
        }
        return b;
    }

    @Override
    public String name() {
        return (client ? "ntor handshake / client" : "ntor handshake / server")
                + (doubles == null ? "" : doubles ? ", X25519 in doubles" : ", X25519 Bouncy Castle");
    }

    @Override
    public String unit() {
        return "handshakes/s";
    }

    @Override
    public double unitsPerOp() {
        return 1;
    }

    @Override
    public void run(int ops) {
        if (doubles != null) {
            org.onionpeer.crypto.Curve25519.use(doubles);
        }
        for (int k = 0; k < ops; k++) {
            int i = next++ % SETS;
            if (client) {
                Ntor.client(nodeId, onionKeys.get(0).publicKey(), xs[i]).finish(replies[i]);
            } else {
                Ntor.server(nodeId, onionKeys, onionskins[i], ys[i]);
            }
        }
    }
}
