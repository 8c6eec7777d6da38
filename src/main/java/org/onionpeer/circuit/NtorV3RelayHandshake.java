package org.onionpeer.circuit;

import java.util.List;
import java.util.function.Supplier;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.NtorV3;

/**
 * The relay's side of ntor v3 (CREATE2 HTYPE 3), answering the congestion control request (prop324 §10.3):
 * a client that sends extension 01 to a relay whose consensus enables congestion control (cc_alg 2) gets
 * extension 02 with our cc_sendme_inc, and the circuit then runs Vegas and XON/XOFF at this end. Installed by
 * the platform ({@code OnionRouter.Config#ntorV3}), so that a relay build without it carries no SHA-3.
 */
public final class NtorV3RelayHandshake implements RelayHandshake {
    private final byte[] ed25519Id;
    private final Supplier<List<Ntor.Keypair>> onionKeys;
    private final Supplier<CcParams> params;

    public NtorV3RelayHandshake(byte[] ed25519Id, Supplier<List<Ntor.Keypair>> onionKeys, Supplier<CcParams> params) {
        this.ed25519Id = ed25519Id.clone();
        this.onionKeys = onionKeys;
        this.params = params;
    }

    @Override
    public int handshakeType() {
        return NtorV3.HTYPE;
    }

    @Override
    public Result respond(byte[] onionskin, byte[] ySecret) {
        CcParams p = params.get();
        int[] inc = {-1};
        NtorV3.ServerResult r = NtorV3.Server.respond(ed25519Id, onionKeys.get(), onionskin, ySecret, msg -> {
            NtorV3.Extensions ext = NtorV3.Extensions.decode(msg);
            if (ext.has(NtorV3.Extensions.CC_FIELD_REQUEST) && p.enabled()) {
                inc[0] = p.sendmeInc;
                return NtorV3.Extensions.ccResponse(p.sendmeInc).encode();
            }
            return NtorV3.Extensions.empty().encode();
        });
        return new Result(r.keys, r.reply, inc[0], p);
    }
}
