package org.onionpeer.browser;

import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dir.Directory;
import org.onionpeer.node.TorNetworkCheck;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * The page's {@link TorNetworkCheck.Documents}: the fetching and checking run in torcheck.js
 * ({@link TorCheckMain}), loaded from the bridge on first use; only strings cross between the two bundles.
 * torcheck.js comes from the same bridge as onionpeer.js, so it is trusted as much as onionpeer.js is.
 */
final class TorCheckModule implements TorNetworkCheck.Documents {
    private final String base;

    TorCheckModule(String base) {
        this.base = base;
    }

    @JSFunctor
    interface Done extends JSObject {
        void call(String error, String relays, String event);
    }

    /** Loads base/torcheck.js once per page (a failed load is tried again next time), then runs the check. */
    @JSBody(params = {"base", "offer", "pinned", "now", "done"}, script = "var o$ = window.onionpeer;"
            + " if (!o$.torcheckLoad) o$.torcheckLoad = new Promise(function (ok, no) {"
            + " var s$ = document.createElement('script'); s$.src = base + '/torcheck.js';"
            + " s$.onload = function () { onionpeerTorCheckMain([]); ok(); };"
            + " s$.onerror = function () { o$.torcheckLoad = null; no('cannot load ' + s$.src); };"
            + " (document.head || document.documentElement).appendChild(s$); });"
            + " o$.torcheckLoad.then(function () { o$.torcheck(base, offer, pinned, now, done); },"
            + " function (e$) { done(e$, null, null); });")
    private static native void run(String base, String offer, String pinned, double now, Done done);

    @Override
    public void fetch(String offer, String pinned, long now, TorNetworkCheck.Answer a) {
        run(base, offer, pinned, now, (error, relays, event) -> BrowserMain.scheduler().execute(() -> {
            if (error != null) {
                a.failed(error);
                return;
            }
            try {
                a.ok(Directory.parseRelayLines(relays), event);
            } catch (ProtocolException e) {
                a.failed("torcheck.js: " + e.getMessage());
            }
        }));
    }
}
