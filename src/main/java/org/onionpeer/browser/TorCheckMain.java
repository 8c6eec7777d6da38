package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.node.Bootstrap;
import org.onionpeer.node.TorDocumentsFetch;
import org.onionpeer.node.TorNetworkCheck;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * Entry point of torcheck.js, the bundle with the Tor document checks ({@link TorDocumentsFetch}: the netdoc
 * parsers, RSA, the descriptor signatures), which onionpeer.js loads from its bridge only when the bridge has
 * a Tor network behind it ({@link TorCheckModule}). {@code onionpeer.torcheck(base, offer, pinned,
 * nowSeconds, done(error, relayLines, event))}: the relays as {@link Directory#relayLines} writes them.
 */
public final class TorCheckMain {
    private TorCheckMain() {
    }

    @JSFunctor
    interface Done extends JSObject {
        void call(String error, String relays, String event);
    }

    @JSFunctor
    interface CheckFn extends JSObject {
        void call(String base, String offer, String pinned, double now, Done done);
    }

    @JSBody(params = "c", script = "(window.onionpeer = window.onionpeer || {}).torcheck = c;")
    private static native void export(CheckFn c);

    public static void main(String[] args) {
        export(TorCheckMain::check);
    }

    private static void check(String base, String offer, String pinned, double now, Done done) {
        Bootstrap.TextSource http = (url, cb) -> Http.get(url, cb::text, cb::failed);
        new TorDocumentsFetch(http, base).fetch(offer, pinned, (long) now, new TorNetworkCheck.Answer() {
            @Override
            public void ok(List<RelayInfo> relays, String event) {
                List<RelayInfo> usable = new ArrayList<>();
                for (RelayInfo r : relays) {
                    // The page's circuits use ntor with the Ed25519 identity: a relay without one is of no use.
                    if (r.identity().hasEd25519() && r.ntorKey() != null) {
                        usable.add(r);
                    }
                }
                done.call(null, Directory.relayLines(usable), event);
            }

            @Override
            public void failed(String reason) {
                done.call(reason, null, null);
            }
        });
    }
}
