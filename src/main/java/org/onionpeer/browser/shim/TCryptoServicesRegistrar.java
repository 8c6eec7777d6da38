package org.onionpeer.browser.shim;

import java.security.SecureRandom;
import org.bouncycastle.crypto.CryptoServiceProperties;
import org.bouncycastle.crypto.CryptoServicesConstraints;
import org.bouncycastle.crypto.CryptoServicesRegistrar;
import org.bouncycastle.crypto.SecureRandomProvider;

/**
 * Stands in for Bouncy Castle's {@code CryptoServicesRegistrar} under TeaVM. The real one builds default
 * DH/DSA parameters (BigInteger arithmetic), a logger, permissions and thread-local maps in its static
 * initialiser, which every BC digest and cipher touches; in the browser bundle that costs size and start-up
 * time for nothing. This keeps BC's default behaviour: no algorithm constraints, no properties set, and
 * randomness from SecureRandom (which TeaVM backs with crypto.getRandomValues).
 */
public final class TCryptoServicesRegistrar {
    private static final CryptoServicesConstraints NO_CONSTRAINTS = props -> {
    };

    private TCryptoServicesRegistrar() {
    }

    public static SecureRandom getSecureRandom() {
        return new SecureRandom();
    }

    public static SecureRandom getSecureRandom(SecureRandom random) {
        return random != null ? random : new SecureRandom();
    }

    public static void setSecureRandom(SecureRandom random) {
        throw new UnsupportedOperationException("not in the browser build");
    }

    public static void setSecureRandomProvider(SecureRandomProvider provider) {
        throw new UnsupportedOperationException("not in the browser build");
    }

    public static boolean isSecureRandomSpecified() {
        return false;
    }

    public static CryptoServicesConstraints getServicesConstraints() {
        return NO_CONSTRAINTS;
    }

    public static void checkConstraints(CryptoServiceProperties properties) {
        // BC's default: no constraints.
    }

    public static <T> T getProperty(CryptoServicesRegistrar.Property property) {
        return null;
    }

    public static <T> T[] getSizedProperty(CryptoServicesRegistrar.Property property) {
        return null;
    }

    public static <T> T getSizedProperty(CryptoServicesRegistrar.Property property, int size) {
        return null;
    }
}
