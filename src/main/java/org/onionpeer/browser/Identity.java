package org.onionpeer.browser;

import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * This page's identity for the session: a WebCrypto signing key pair made with extractable=false (Ed25519
 * where the browser has it, else ECDSA P-256), so the private key can be used by the page but never read
 * out, not even by the page's own scripts. The ID is the SHA-1 of the public key's SPKI DER (160 bits, like
 * a relay fingerprint), in hex. A new pair is made on every page load and never stored: an identity lives
 * exactly as long as the page, so sessions cannot be linked by it.
 */
final class Identity {
    private static boolean started;
    private static String id;
    private static String algorithm;
    private static String error;
    private static JSObject keyPair;
    private static byte[] rawPublic;
    private static final java.util.List<Runnable> waiting = new java.util.ArrayList<>();

    private Identity() {
    }

    @JSFunctor
    interface Ready extends JSObject {
        void ready(String hexId, String algorithm, JSObject keyPair);
    }

    @JSFunctor
    interface BoolFn extends JSObject {
        boolean call();
    }

    // Names inside the scripts end in $ so TeaVM's minifier, which renames parameters, cannot collide.
    @JSBody(params = {"ok", "err"}, script = "try {"
            + " var gen$ = function (alg$) { return crypto.subtle.generateKey(alg$, false, ['sign', 'verify']); };"
            + " var name$ = 'Ed25519';"
            + " gen$({name: 'Ed25519'}).catch(function () {"
            + "   name$ = 'ECDSA P-256'; return gen$({name: 'ECDSA', namedCurve: 'P-256'}); })"
            + " .then(function (k$) {"
            + "   return crypto.subtle.exportKey('spki', k$.publicKey)"
            + "    .then(function (spki$) { return crypto.subtle.digest('SHA-1', spki$); })"
            + "    .then(function (h$) { var b$ = new Uint8Array(h$), s$ = '';"
            + "      for (var i$ = 0; i$ < b$.length; i$++) { s$ += ('0' + b$[i$].toString(16)).slice(-2); }"
            + "      ok(s$, name$, k$); }); })"
            + " .catch(function (e$) { err(String(e$)); });"
            + "} catch (e$) { err(String(e$)); }")
    private static native void generate(Ready ok, JsApi.StringSink err);

    @JSFunctor
    interface BytesFn extends JSObject {
        void call(org.teavm.jso.typedarrays.ArrayBuffer data);
    }

    @JSBody(params = {"pair", "ok", "err"}, script = "crypto.subtle.exportKey('raw', pair.publicKey)"
            + ".then(function (b$) { ok(b$); }, function (e$) { err(String(e$)); });")
    private static native void exportRaw(JSObject pair, BytesFn ok, JsApi.StringSink err);

    @JSBody(params = {"pair", "data", "ok", "err"}, script = "crypto.subtle.sign({name: 'Ed25519'}, pair.privateKey,"
            + " data).then(function (s$) { ok(s$); }, function (e$) { err(String(e$)); });")
    private static native void signRaw(JSObject pair, org.teavm.jso.typedarrays.Int8Array data, BytesFn ok,
            JsApi.StringSink err);

    /**
     * Signs with the session's identity key inside WebCrypto (the key never leaves it); Ed25519 only, since
     * peer certificates are checked by the core's Ed25519 on every platform.
     */
    static void sign(byte[] message, java.util.function.Consumer<byte[]> ok, java.util.function.Consumer<String> err) {
        if (keyPair == null || rawPublic == null) {
            err.accept("no Ed25519 identity");
            return;
        }
        signWith(keyPair, message, ok, err);
    }

    /** Signs with another non-extractable Ed25519 pair of this page (a live stream's key, see below). */
    static void signWith(JSObject pair, byte[] message, java.util.function.Consumer<byte[]> ok,
            java.util.function.Consumer<String> err) {
        signRaw(pair, org.teavm.jso.typedarrays.Int8Array.copyFromJavaArray(message),
                sig -> BrowserMain.scheduler().execute(() -> ok.accept(
                        org.teavm.jso.typedarrays.Int8Array.create(sig).copyToJavaArray())),
                e -> BrowserMain.scheduler().execute(() -> err.accept(e)));
    }

    @JSFunctor
    interface PairFn extends JSObject {
        void call(JSObject pair, org.teavm.jso.typedarrays.ArrayBuffer rawPublic);
    }

    @JSBody(params = {"ok", "err"}, script = "crypto.subtle.generateKey({name: 'Ed25519'}, false, ['sign', 'verify'])"
            + ".then(function (k$) { return crypto.subtle.exportKey('raw', k$.publicKey).then(function (r$) { ok(k$, r$); }); })"
            + ".catch(function (e$) { err(String(e$)); });")
    private static native void generateEd25519(PairFn ok, JsApi.StringSink err);

    /**
     * A new non-extractable Ed25519 pair for one live stream: the stream's manifest names its key, so it must
     * not be the page's identity key (that would tie the stream to the page's DHT ID).
     */
    static void newStreamKey(java.util.function.BiConsumer<JSObject, byte[]> ok, java.util.function.Consumer<String> err) {
        generateEd25519((pair, raw) -> BrowserMain.scheduler().execute(() -> ok.accept(pair,
                org.teavm.jso.typedarrays.Int8Array.create(raw).copyToJavaArray())),
                e -> BrowserMain.scheduler().execute(() -> err.accept(e)));
    }

    /** The Ed25519 public key (32 bytes), or null (not ready, or the browser made a P-256 key). */
    static byte[] ed25519Key() {
        return rawPublic == null ? null : rawPublic.clone();
    }

    /** Runs {@code r} once the identity is ready or has failed (at once if it already has). */
    static void whenSettled(Runnable r) {
        if (id != null || error != null) {
            r.run();
        } else {
            waiting.add(r);
        }
    }

    private static void settled() {
        java.util.List<Runnable> w = new java.util.ArrayList<>(waiting);
        waiting.clear();
        for (Runnable r : w) {
            BrowserMain.scheduler().execute(r);
        }
    }

    @JSBody(params = "pair", script = "return !!pair.privateKey.extractable;")
    private static native boolean privateExtractable(JSObject pair);

    /** Tries to export the private key as PKCS#8; reports "exported" or "refused: <error name>". */
    @JSBody(params = {"pair", "done"}, script = "try {"
            + " crypto.subtle.exportKey('pkcs8', pair.privateKey).then(function () { done('exported'); },"
            + "  function (e$) { done('refused: ' + (e$ && e$.name ? e$.name : String(e$))); });"
            + "} catch (e$) { done('refused: ' + String(e$)); }")
    private static native void tryExport(JSObject pair, JsApi.StringSink done);

    @JSBody(params = {"name", "fn"}, script = "(window.onionpeer = window.onionpeer || {})[name] = fn;")
    private static native void exportBool(String name, BoolFn fn);

    /** Starts making this session's key pair (once per page); status() shows the ID when it is ready. */
    static void start() {
        if (started) {
            return;
        }
        started = true;
        // Test hooks: they reveal only whether the private key could leave WebCrypto, never the key.
        exportBool("identityKeyExtractable", () -> keyPair != null && privateExtractable(keyPair));
        JsApi.export("identityTryExport", (JsApi.CallbackFn) done -> {
            if (keyPair == null) {
                done.call("no key yet");
            } else {
                tryExport(keyPair, done);
            }
        });
        JsApi.export("identityAlgorithm", (JsApi.StringFn) () -> algorithm != null ? algorithm
                : error != null ? "failed: " + error : "pending");
        generate((hex, alg, pair) -> {
            keyPair = pair;
            algorithm = alg;
            if (!"Ed25519".equals(alg)) {
                id = hex;
                settled();
                return;
            }
            exportRaw(pair, raw -> {
                rawPublic = org.teavm.jso.typedarrays.Int8Array.create(raw).copyToJavaArray();
                id = hex;
                settled();
            }, e -> {
                id = hex;
                settled();
            });
        }, e -> {
            error = e;
            settled();
        });
    }

    /** The hex ID (40 characters), or null until the key pair is ready. */
    static String id() {
        return id;
    }

    /** "Ed25519" or "ECDSA P-256", or null until ready. */
    static String algorithm() {
        return algorithm;
    }

    /** Why no identity could be made (no WebCrypto here, e.g. not a secure context), or null. */
    static String error() {
        return error;
    }
}
