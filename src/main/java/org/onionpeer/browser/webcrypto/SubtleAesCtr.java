package org.onionpeer.browser.webcrypto;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSByRef;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * The minimal SubtleCrypto binding the keystream pool needs (teavm-jso-apis has none): import a raw
 * AES-CTR key and encrypt a run of zeros from a given counter. Both are callback-driven (the promise's
 * then), so no caller ever blocks or suspends; results come back as later events on the page's loop.
 */
public final class SubtleAesCtr {
    private SubtleAesCtr() {
    }

    /** Receives the imported CryptoKey. */
    @JSFunctor
    public interface KeyReady extends JSObject {
        void ready(JSObject cryptoKey);
    }

    /** Receives the keystream of one batch, tagged with the caller's batch number. */
    @JSFunctor
    public interface BatchReady extends JSObject {
        void ready(int batch, Int8Array keystream);
    }

    /** Receives the error text of a failed promise. */
    @JSFunctor
    public interface Failed extends JSObject {
        void failed(String message);
    }

    // Names inside the scripts end in $ so that TeaVM's minifier, which renames the parameters to short
    // names, can never make a parameter and a local collide.

    /** True when this page can use crypto.subtle (a secure context: https, http://127.0.0.1, localhost). */
    @JSBody(script = "return !!(typeof crypto !== 'undefined' && crypto.subtle && crypto.subtle.encrypt);")
    public static native boolean available();

    @JSBody(params = {"key16", "ok", "err"}, script = "try {"
            + " crypto.subtle.importKey('raw', new Uint8Array(key16), {name: 'AES-CTR'}, false, ['encrypt'])"
            + "  .then(function (k$) { ok(k$); }, function (e$) { err(String(e$)); });"
            + "} catch (e$) { err(String(e$)); }")
    public static native void importKey(@JSByRef byte[] key16, KeyReady ok, Failed err);

    /**
     * Encrypts {@code zeros} (a Uint8Array; WebCrypto copies it at the call, so one can be shared) under
     * AES-CTR with the 128-bit big-endian initial counter (0, 0, counterHi, counterLo) and all 128 bits
     * allowed to increment (as Tor's CTR does), giving that many keystream bytes.
     */
    @JSBody(params = {"key", "counterHi", "counterLo", "zeros", "batch", "ok", "err"}, script = "try {"
            + " var c$ = new Uint8Array(16); var v$ = new DataView(c$.buffer);"
            + " v$.setUint32(8, counterHi >>> 0); v$.setUint32(12, counterLo >>> 0);"
            + " crypto.subtle.encrypt({name: 'AES-CTR', counter: c$, length: 128}, key, zeros)"
            + "  .then(function (r$) { ok(batch, new Int8Array(r$)); }, function (e$) { err(String(e$)); });"
            + "} catch (e$) { err(String(e$)); }")
    public static native void encryptZeros(JSObject key, int counterHi, int counterLo, JSObject zeros, int batch,
            BatchReady ok, Failed err);

    @JSBody(params = "n", script = "return new Uint8Array(n);")
    public static native JSObject zeros(int n);
}
