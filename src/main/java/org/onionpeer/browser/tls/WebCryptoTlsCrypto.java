package org.onionpeer.browser.tls;

import org.bouncycastle.crypto.modes.ChaCha20Poly1305;
import org.onionpeer.platform.Entropy;
import org.onionpeer.tls.BcTlsCrypto;
import org.onionpeer.tls.EcdsaSignature;
import org.onionpeer.tls.PublicKeyInfo;
import org.onionpeer.tls.Tls;
import org.onionpeer.tls.TlsCrypto;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSByRef;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;
import org.teavm.jso.typedarrays.Int8Array;

/**
 * {@link TlsCrypto} on WebCrypto ({@code crypto.subtle}) for the page's TLS client (tls.js): AES-GCM records,
 * X25519 and P-256 key shares, RSA (PKCS#1 v1.5, PSS), ECDSA and Ed25519 signatures, all native code. Two
 * things fall back to Bouncy Castle in JavaScript: ChaCha20-Poly1305, which WebCrypto does not have, and
 * X25519 on browsers from before WebCrypto had it (Chrome 133, Firefox 130, Safari 17). Nothing else does:
 * BC's RSA and elliptic-curve code would more than double tls.js (860 KB against about 300 KB, measured),
 * and every browser with ES2017 has the RSA, ECDSA and ECDH WebCrypto needs. A key the browser cannot
 * import (Ed25519 before Chrome 137) makes that signature fail, which names the certificate.
 *
 * <p>Every answer comes from a promise, so it arrives as a later event on the page's loop; {@code TlsClient}
 * orders records itself. Keys are imported non-extractable: nothing of the session's secrets is kept as a
 * JavaScript value longer than the import.
 */
public final class WebCryptoTlsCrypto implements TlsCrypto {
    private final Entropy entropy;

    public WebCryptoTlsCrypto(Entropy entropy) {
        this.entropy = entropy;
    }

    @JSFunctor
    interface KeyFn extends JSObject {
        void call(JSObject key);
    }

    @JSFunctor
    interface PairFn extends JSObject {
        void call(JSObject privateKey, Int8Array publicRaw);
    }

    @JSFunctor
    interface BytesFn extends JSObject {
        void call(Int8Array bytes);
    }

    @JSFunctor
    interface BoolFn extends JSObject {
        void call(boolean ok);
    }

    @JSFunctor
    interface ErrFn extends JSObject {
        void call(String why);
    }

    // Script-local names end in $ so TeaVM's minifier, which renames parameters, cannot collide with them.

    @Override
    public void random(byte[] out) {
        entropy.nextBytes(out);
    }

    @Override
    public boolean supportsGroup(int group) {
        return group == Tls.X25519 || group == Tls.SECP256R1;
    }

    // ---- key shares --------------------------------------------------------------------------------------

    /** alg: 'X25519' or 'P-256'. ok(privateKey, raw public) or err(why) when the browser cannot. */
    @JSBody(params = {"alg", "ok", "err"}, script = "try { var a$ = alg === 'X25519' ? {name: 'X25519'}"
            + " : {name: 'ECDH', namedCurve: alg};"
            + " crypto.subtle.generateKey(a$, false, ['deriveBits']).then(function (p$) {"
            + "  return crypto.subtle.exportKey('raw', p$.publicKey).then(function (r$) { ok(p$.privateKey, new Int8Array(r$)); });"
            + " }).catch(function (e$) { err(String(e$)); }); } catch (e$) { err(String(e$)); }")
    private static native void generate(String alg, PairFn ok, ErrFn err);

    /** The shared secret of priv with the raw peer value; err when the value is invalid (not on the curve). */
    @JSBody(params = {"alg", "priv", "peer", "bits", "ok", "err"}, script = "try { var a$ = alg === 'X25519'"
            + " ? {name: 'X25519'} : {name: 'ECDH', namedCurve: alg};"
            + " crypto.subtle.importKey('raw', new Uint8Array(peer), a$, false, []).then(function (k$) {"
            + "  return crypto.subtle.deriveBits({name: a$.name, public: k$}, priv, bits); })"
            + " .then(function (b$) { ok(new Int8Array(b$)); }, function (e$) { err(String(e$)); });"
            + " } catch (e$) { err(String(e$)); }")
    private static native void derive(String alg, JSObject priv, @JSByRef byte[] peer, int bits, BytesFn ok, ErrFn err);

    @Override
    public void keyShare(int group, Done<KeyShare> done) {
        String alg = group == Tls.X25519 ? "X25519" : "P-256";
        if (group != Tls.X25519 && group != Tls.SECP256R1) {
            throw new IllegalArgumentException("unsupported group " + Tls.groupName(group));
        }
        generate(alg, (priv, pub) -> done.done(new KeyShare() {
            private final byte[] publicKey = pub.copyToJavaArray();

            public int group() {
                return group;
            }

            public byte[] publicKey() {
                return publicKey.clone();
            }

            public void agree(byte[] peer, Done<byte[]> d) {
                int expected = group == Tls.X25519 ? 32 : 65;
                if (peer.length != expected) {
                    d.done(null);
                    return;
                }
                derive(alg, priv, peer, 256, b -> d.done(allZero(b) ? null : b.copyToJavaArray()), why -> d.done(null));
            }
        }), why -> {
            if (group != Tls.X25519) {
                throw new IllegalStateException("this browser cannot make a P-256 key: " + why);
            }
            done.done(BcTlsCrypto.x25519(entropy)); // X25519 before WebCrypto had it: in JavaScript
        });
    }

    /** RFC 7748 §6.1: an all-zero X25519 result means a small-order peer point; refuse it as BC does. */
    private static boolean allZero(Int8Array b) {
        int acc = 0;
        for (int i = 0; i < b.getLength(); i++) {
            acc |= b.get(i);
        }
        return acc == 0;
    }

    // ---- AEAD --------------------------------------------------------------------------------------------

    @JSBody(params = {"raw", "ok", "err"}, script = "try { crypto.subtle.importKey('raw', new Uint8Array(raw),"
            + " {name: 'AES-GCM'}, false, ['encrypt', 'decrypt']).then(ok, function (e$) { err(String(e$)); });"
            + " } catch (e$) { err(String(e$)); }")
    private static native void importAes(@JSByRef byte[] raw, KeyFn ok, ErrFn err);

    /** encrypt (true) or decrypt; the output is ciphertext||tag or the plaintext; err when the tag fails. */
    @JSBody(params = {"encrypt", "key", "iv", "aad", "data", "ok", "err"}, script = "try {"
            + " var p$ = {name: 'AES-GCM', iv: iv, additionalData: aad, tagLength: 128};"
            + " (encrypt ? crypto.subtle.encrypt(p$, key, data) : crypto.subtle.decrypt(p$, key, data))"
            + " .then(function (r$) { ok(new Int8Array(r$)); }, function (e$) { err(String(e$)); });"
            + " } catch (e$) { err(String(e$)); }")
    private static native void gcm(boolean encrypt, JSObject key, @JSByRef byte[] iv, @JSByRef byte[] aad,
            @JSByRef byte[] data, BytesFn ok, ErrFn err);

    @Override
    public Aead aead(int cipherSuite, byte[] key) {
        if (cipherSuite == Tls.TLS_CHACHA20_POLY1305_SHA256) {
            return BcTlsCrypto.aead(new ChaCha20Poly1305(), key); // WebCrypto has no ChaCha20-Poly1305
        }
        return new GcmAead(key);
    }

    /**
     * AES-GCM with the key imported once; operations that arrive before the import finished wait for it.
     * WebCrypto copies its inputs when a call starts, so the caller's arrays may change afterwards.
     */
    private static final class GcmAead implements Aead {
        private JSObject key;
        private String importError;
        private java.util.List<Runnable> waiting = new java.util.ArrayList<>();

        GcmAead(byte[] raw) {
            importAes(raw, k -> ready(k, null), why -> ready(null, why));
        }

        private void ready(JSObject k, String why) {
            key = k;
            importError = why;
            java.util.List<Runnable> w = waiting;
            waiting = null;
            for (Runnable r : w) {
                r.run();
            }
        }

        private void run(boolean encrypt, byte[] nonce, byte[] aad, byte[] data, Done<byte[]> done) {
            if (waiting != null) {
                byte[] n = nonce.clone();
                byte[] a = aad.clone();
                byte[] d = data.clone();
                waiting.add(() -> run(encrypt, n, a, d, done));
                return;
            }
            if (key == null) {
                // Importing a 16- or 32-byte AES key does not fail in a browser that has AES-GCM at all.
                throw new IllegalStateException("AES-GCM unavailable: " + importError);
            }
            if (!encrypt && data.length < Tls.AEAD_TAG) {
                done.done(null);
                return;
            }
            // The answer is a fresh ArrayBuffer: wrapped as the Java array, not copied.
            gcm(encrypt, key, nonce, aad, data, out -> done.done(out.toJavaArray()), why -> done.done(null));
        }

        @Override
        public void seal(byte[] nonce, byte[] aad, byte[] plaintext, Done<byte[]> done) {
            run(true, nonce, aad, plaintext, done);
        }

        @Override
        public void open(byte[] nonce, byte[] aad, byte[] ciphertext, Done<byte[]> done) {
            run(false, nonce, aad, ciphertext, done);
        }
    }

    // ---- signatures --------------------------------------------------------------------------------------

    /**
     * Imports spki under importAlg and verifies; ok(result); unsupported(why) when the key or algorithm
     * cannot be used by this browser.
     */
    @JSBody(params = {"spki", "importAlg", "verifyAlg", "sig", "msg", "ok", "unsupported"}, script = "try {"
            + " crypto.subtle.importKey('spki', new Uint8Array(spki), importAlg, false, ['verify']).then(function (k$) {"
            + "  crypto.subtle.verify(verifyAlg, k$, new Uint8Array(sig), new Uint8Array(msg))"
            + "   .then(function (v$) { ok(!!v$); }, function (e$) { ok(false); });"
            + " }, function (e$) { unsupported(String(e$)); }); } catch (e$) { unsupported(String(e$)); }")
    private static native void subtleVerify(@JSByRef byte[] spki, JSObject importAlg, JSObject verifyAlg,
            @JSByRef byte[] sig, @JSByRef byte[] msg, BoolFn ok, ErrFn unsupported);

    @JSBody(params = {"name", "hash"}, script = "return {name: name, hash: hash};")
    private static native JSObject rsaAlg(String name, String hash);

    @JSBody(params = "salt", script = "return {name: 'RSA-PSS', saltLength: salt};")
    private static native JSObject pssParams(int salt);

    @JSBody(params = "curve", script = "return {name: 'ECDSA', namedCurve: curve};")
    private static native JSObject ecImport(String curve);

    @JSBody(params = "hash", script = "return {name: 'ECDSA', hash: hash};")
    private static native JSObject ecVerify(String hash);

    @JSBody(params = "name", script = "return {name: name};")
    private static native JSObject named(String name);

    @Override
    public void verify(int scheme, PublicKeyInfo key, byte[] message, byte[] signature, Done<Boolean> done) {
        String type = key.type();
        JSObject importAlg;
        JSObject verifyAlg;
        byte[] sig = signature;
        switch (scheme) {
            case Tls.RSA_PKCS1_SHA256: case Tls.RSA_PKCS1_SHA384: case Tls.RSA_PKCS1_SHA512:
                if (!type.equals(PublicKeyInfo.RSA)) {
                    done.done(false);
                    return;
                }
                importAlg = rsaAlg("RSASSA-PKCS1-v1_5", hash(scheme));
                verifyAlg = named("RSASSA-PKCS1-v1_5");
                break;
            case Tls.RSA_PSS_RSAE_SHA256: case Tls.RSA_PSS_RSAE_SHA384: case Tls.RSA_PSS_RSAE_SHA512:
                if (!type.equals(PublicKeyInfo.RSA)) {
                    done.done(false);
                    return;
                }
                importAlg = rsaAlg("RSA-PSS", hash(scheme));
                verifyAlg = pssParams(hashLength(scheme)); // salt = hash length (RFC 8446 §4.2.3)
                break;
            case Tls.ECDSA_SECP256R1_SHA256: case Tls.ECDSA_SECP384R1_SHA384: {
                // In certificates the hash need not match the curve, so the key names the curve.
                int size = type.equals(PublicKeyInfo.EC_P256) ? 32 : type.equals(PublicKeyInfo.EC_P384) ? 48 : 0;
                sig = size == 0 ? null : EcdsaSignature.toRaw(signature, size);
                if (sig == null) {
                    done.done(false);
                    return;
                }
                importAlg = ecImport(size == 32 ? "P-256" : "P-384");
                verifyAlg = ecVerify(hash(scheme));
                break;
            }
            case Tls.ED25519:
                if (!type.equals(PublicKeyInfo.ED25519)) {
                    done.done(false);
                    return;
                }
                importAlg = named("Ed25519");
                verifyAlg = named("Ed25519");
                break;
            default:
                done.done(false); // a scheme this provider does not map: no signature of it verifies
                return;
        }
        subtleVerify(key.spki(), importAlg, verifyAlg, sig, message, done::done, why -> done.done(false));
    }

    private static String hash(int scheme) {
        int n = hashLength(scheme);
        return n == 48 ? "SHA-384" : n == 64 ? "SHA-512" : "SHA-256";
    }

    private static int hashLength(int scheme) {
        switch (scheme) {
            case Tls.RSA_PKCS1_SHA384: case Tls.RSA_PSS_RSAE_SHA384: case Tls.ECDSA_SECP384R1_SHA384:
                return 48;
            case Tls.RSA_PKCS1_SHA512: case Tls.RSA_PSS_RSAE_SHA512:
                return 64;
            default:
                return 32;
        }
    }
}
