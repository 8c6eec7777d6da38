package org.onionpeer.cell;

import java.security.SecureRandom;

/**
 * Where the random part of relay cell padding comes from (tor-spec §6.1: four zero bytes, then random bytes).
 * Production passes {@link #from(SecureRandom)}; tests pass something deterministic.
 */
public interface PaddingSource {
    void fill(byte[] buf, int off, int len);

    /** All zeros: deterministic, but makes cell contents predictable; not for real traffic. */
    PaddingSource ZEROS = (buf, off, len) -> {
        for (int i = 0; i < len; i++) {
            buf[off + i] = 0;
        }
    };

    static PaddingSource from(SecureRandom random) {
        return (buf, off, len) -> {
            byte[] r = new byte[len];
            random.nextBytes(r);
            System.arraycopy(r, 0, buf, off, len);
        };
    }
}
