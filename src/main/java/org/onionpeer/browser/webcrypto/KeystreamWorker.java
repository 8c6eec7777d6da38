package org.onionpeer.browser.webcrypto;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * One dedicated Web Worker per page that makes the keystream batches: the synchronous part of
 * {@code crypto.subtle.encrypt} (it copies its 64 KiB input), the result's new ArrayBuffer and the promise
 * callbacks then cost the worker's thread, not the page's main thread, which only receives each batch as a
 * transferred ArrayBuffer (no copy). The worker's code is an inline script started from a Blob URL, so it
 * runs from the bridge's page and from the bookmarklet on any page whose Content-Security-Policy allows
 * {@code blob:} workers.
 *
 * <p>A cipher is registered, on the page and in the worker, only while it has requests in the worker: its
 * first request carries its (non-extractable) CryptoKey, later ones only the tags (cipher id, batch number)
 * and the counter; when its last reply has arrived the page tells the worker to forget the key. So the worker
 * holds no key of an idle or dropped cipher (ciphers have no close), and a reply for a cipher no longer
 * registered is dropped. Messages between the two are in order, so a key re-sent after a forget arrives
 * after it.
 *
 * <p>Until the worker has said hello, and for good once it has failed (creation threw, an error event,
 * no crypto.subtle in the worker, a rejected request), {@link #ready()} is false and the callers use the
 * in-thread path; at a failure the worker is terminated and every cipher with requests in it is told they
 * are lost ({@link Lost}), so it requests them again in-thread. Correctness never depends on the worker.
 */
public final class KeystreamWorker {
    private static final int UNTRIED = 0;
    private static final int STARTING = 1;
    private static final int READY = 2;
    private static final int DEAD = 3;

    private static int state;
    private static JSObject handle;
    private static String error;
    private static double batches;

    private KeystreamWorker() {
    }

    /** Receives the worker's verdict: null once it is ready, else why it is not used. */
    @JSFunctor
    interface Verdict extends JSObject {
        void verdict(String failure);
    }

    /** Told that the worker died with requests of this cipher in it: they will never arrive. */
    @JSFunctor
    public interface Lost extends JSObject {
        void lost();
    }

    /** Starts the page's worker, once; until its hello arrives callers use the in-thread path. */
    public static void start(int batchBytes) {
        if (state != UNTRIED) {
            return;
        }
        state = STARTING;
        handle = create(batchBytes, failure -> {
            if (failure == null) {
                if (state == STARTING) {
                    state = READY;
                }
            } else {
                state = DEAD;
                error = failure;
            }
        });
    }

    /** True when requests go to the worker. */
    public static boolean ready() {
        return state == READY;
    }

    /**
     * Asks the worker for the keystream of one batch (see {@link SubtleAesCtr#encryptZeros} for the counter);
     * {@code ok} gets it on the page's loop, tagged with {@code batch}. Only while {@link #ready()}.
     */
    public static void request(int cipher, JSObject key, int counterHi, int counterLo, int batch,
            SubtleAesCtr.BatchReady ok, Lost lost) {
        batches++;
        post(handle, cipher, key, counterHi, counterLo, batch, ok, lost);
    }

    /** "ready", "starting", "off: why" or "not started", and how many batches were asked of it. */
    public static String status() {
        String s = state == READY ? "ready" : state == STARTING ? "starting"
                : state == DEAD ? "off: " + error : "not started";
        return s + ", " + (long) batches + " batches asked";
    }

    // The worker: one zero buffer; per request, encrypt it from the request's counter and post the result back,
    // transferred. Its first message says whether it has crypto.subtle. Names end in $ (see SubtleAesCtr).
    @JSBody(params = {"n", "verdict"}, script = "var s$ = {p: new Map(), dead: false, w: null};"
            + "function fail$(why$) { if (s$.dead) return; s$.dead = true; try { s$.w.terminate(); } catch (x$) {}"
            + " var p$ = s$.p; s$.p = new Map(); verdict(why$); p$.forEach(function (c$) { c$.lost(); }); }"
            + "try {"
            + " var src$ = 'var z=new Uint8Array(' + n + '),K=new Map();'"
            + "  + 'onmessage=function(e){var m=e.data;if(m.f){K.delete(m.i);return;}if(m.k)K.set(m.i,m.k);'"
            + "  + 'try{var c=new Uint8Array(16),v=new DataView(c.buffer);v.setUint32(8,m.h);v.setUint32(12,m.l);'"
            + "  + 'crypto.subtle.encrypt({name:\"AES-CTR\",counter:c,length:128},K.get(m.i),z).then('"
            + "  + 'function(r){postMessage({i:m.i,b:m.b,r:r},[r]);},function(x){postMessage({e:String(x)});});'"
            + "  + '}catch(x){postMessage({e:String(x)});}};'"
            + "  + 'postMessage({h:!!(self.crypto&&crypto.subtle&&crypto.subtle.encrypt)});';"
            + " var u$ = URL.createObjectURL(new Blob([src$], {type: 'text/javascript'}));"
            + " try { s$.w = new Worker(u$); } finally { URL.revokeObjectURL(u$); }"
            + " s$.w.onmessage = function (e$) { var m$ = e$.data; if (s$.dead) return;"
            + "  if (m$.e !== undefined) { fail$('worker: ' + m$.e); return; }"
            + "  if (m$.h !== undefined) { if (m$.h) verdict(null); else fail$('no crypto.subtle in the worker');"
            + "   return; }"
            + "  var c$ = s$.p.get(m$.i); if (!c$) return;"
            + "  if (--c$.n === 0) { s$.p['delete'](m$.i); s$.w.postMessage({i: m$.i, f: 1}); }"
            + "  c$.ok(m$.b, new Int8Array(m$.r)); };"
            + " s$.w.onerror = function (e$) { if (e$ && e$.preventDefault) e$.preventDefault();"
            + "  fail$('worker error' + (e$ && e$.message ? ': ' + e$.message : '')); };"
            + " s$.w.onmessageerror = function () { fail$('worker message error'); };"
            + " s$.fail = fail$;"
            + "} catch (e$) { fail$(String(e$)); }"
            + "return s$;")
    private static native JSObject create(int n, Verdict verdict);

    @JSBody(params = {"s", "cipher", "key", "hi", "lo", "batch", "ok", "lost"}, script = "var c$ = s.p.get(cipher);"
            + "var m$ = {i: cipher, b: batch, h: hi >>> 0, l: lo >>> 0};"
            + "if (!c$) { c$ = {n: 0, ok: ok, lost: lost}; s.p.set(cipher, c$); m$.k = key; } c$.n++;"
            + "try { s.w.postMessage(m$); }"
            + " catch (e$) { var x$ = String(e$); Promise.resolve().then(function () { s.fail(x$); }); }")
    private static native void post(JSObject s, int cipher, JSObject key, int hi, int lo, int batch,
            SubtleAesCtr.BatchReady ok, Lost lost);
}
