package org.onionpeer.transport;

import java.util.Arrays;

/**
 * Which streams may share a circuit: streams opened with different isolations never do (tor's stream isolation,
 * torrc IsolateSOCKSAuth, on by default there). Our SOCKS5 port gives each RFC 1929 username/password pair its
 * own, as tor does: Tor Browser sends one pair per first-party site so that two sites' streams never meet at one
 * exit; a client that sends no credentials gets {@link #NONE}, which is isolated from every pair.
 *
 * <p>Immutable. The two fields are kept length-prefixed, so ("ab", "c") and ("a", "bc") differ. Its
 * {@link #toString} names no credentials: nothing identifying is logged.
 */
public final class Isolation {
    /** Streams opened without credentials: they share circuits with each other only. */
    public static final Isolation NONE = new Isolation(new byte[0]);

    private final byte[] key;

    private Isolation(byte[] key) {
        this.key = key;
    }

    /** The isolation of a SOCKS5 username/password pair (RFC 1929: each 0..255 bytes). */
    public static Isolation socksAuth(byte[] username, byte[] password) {
        if (username.length > 255 || password.length > 255) {
            throw new IllegalArgumentException("SOCKS5 username or password longer than 255 bytes");
        }
        byte[] k = new byte[3 + username.length + password.length];
        k[0] = 1; // so that no pair equals NONE's empty key
        k[1] = (byte) username.length;
        System.arraycopy(username, 0, k, 2, username.length);
        k[2 + username.length] = (byte) password.length;
        System.arraycopy(password, 0, k, 3 + username.length, password.length);
        return new Isolation(k);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Isolation && Arrays.equals(key, ((Isolation) o).key);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(key);
    }

    @Override
    public String toString() {
        return key.length == 0 ? "no isolation credentials" : "SOCKS credentials";
    }
}
