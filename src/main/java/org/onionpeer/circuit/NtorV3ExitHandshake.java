package org.onionpeer.circuit;

import org.onionpeer.crypto.NtorV3;
import org.onionpeer.dir.RelayInfo;

/**
 * ntor v3 carrying the congestion control request (prop324 §10.1, prop332): for an exit that lists Relay=4
 * (ntor v3) and FlowCtrl=2 (congestion control) and whose Ed25519 identity we know, which ntor v3 names.
 * Install {@link #FACTORY} as {@link CircuitOptions#congestionControl}.
 */
public final class NtorV3ExitHandshake implements ExitHandshake {
    public static final Factory FACTORY = new Factory() {
        @Override
        public boolean supports(RelayInfo r) {
            return r.protocols().supports("Relay", 4) && r.protocols().supports("FlowCtrl", 2)
                    && r.identity().hasEd25519() && r.ntorKey() != null;
        }

        @Override
        public ExitHandshake start(RelayInfo r, byte[] secret32) {
            return new NtorV3ExitHandshake(NtorV3.client(r.identity().ed25519Identity(), r.ntorKey(), secret32,
                    NtorV3.Extensions.ccRequest().encode()));
        }
    };

    private final NtorV3.Client client;

    private NtorV3ExitHandshake(NtorV3.Client client) {
        this.client = client;
    }

    @Override
    public int handshakeType() {
        return NtorV3.HTYPE;
    }

    @Override
    public byte[] onionskin() {
        return client.onionskin();
    }

    @Override
    public Result complete(byte[] reply) {
        NtorV3.Result r = client.complete(reply);
        // No response extension: the exit runs without congestion control (its consensus says cc_alg 0).
        return new Result(r.keys, NtorV3.Extensions.decode(r.serverMessage).ccSendmeInc());
    }
}
