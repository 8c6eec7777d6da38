package org.onionpeer.crypto;

import org.onionpeer.bytes.Bytes;

/**
 * The key material one circuit handshake yields for one hop (tor-spec §5.2): forward and backward digest
 * seeds Df, Db (20 bytes), forward and backward AES-128 keys Kf, Kb (16 bytes) and KH (20 bytes: the
 * CREATE_FAST proof of knowledge, or for ntor the onion-service rendezvous nonce). Immutable; accessors
 * return copies.
 */
public final class HopKeys {
    public static final int DIGEST_LEN = 20;
    public static final int KEY_LEN = 16;
    public static final int KH_LEN = 20;
    /** Df + Db + Kf + Kb + KH. */
    public static final int MATERIAL_LEN = 2 * DIGEST_LEN + 2 * KEY_LEN + KH_LEN;

    private final byte[] df;
    private final byte[] db;
    private final byte[] kf;
    private final byte[] kb;
    private final byte[] kh;

    public HopKeys(byte[] df, byte[] db, byte[] kf, byte[] kb, byte[] kh) {
        this.df = exact(df, DIGEST_LEN, "Df");
        this.db = exact(db, DIGEST_LEN, "Db");
        this.kf = exact(kf, KEY_LEN, "Kf");
        this.kb = exact(kb, KEY_LEN, "Kb");
        this.kh = exact(kh, KH_LEN, "KH");
    }

    /**
     * Splits KDF-TOR output in CREATE_FAST/TAP order (tor-spec §5.2.1): KH | Df | Db | Kf | Kb, at least
     * {@link #MATERIAL_LEN} bytes.
     */
    public static HopKeys fromKdfTor(byte[] k) {
        need(k);
        int o = 0;
        byte[] kh = slice(k, o, KH_LEN);
        o += KH_LEN;
        return new HopKeys(slice(k, o, DIGEST_LEN), slice(k, o + DIGEST_LEN, DIGEST_LEN),
                slice(k, o + 2 * DIGEST_LEN, KEY_LEN), slice(k, o + 2 * DIGEST_LEN + KEY_LEN, KEY_LEN), kh);
    }

    /**
     * Splits KDF-RFC5869 output in ntor order (tor-spec §5.2.2, §5.1.4): Df | Db | Kf | Kb | KH, at least
     * {@link #MATERIAL_LEN} bytes (tor reads the rendezvous nonce KH right after the 72 bytes of keys).
     */
    public static HopKeys fromHkdf(byte[] k) {
        need(k);
        return new HopKeys(slice(k, 0, DIGEST_LEN), slice(k, DIGEST_LEN, DIGEST_LEN),
                slice(k, 2 * DIGEST_LEN, KEY_LEN), slice(k, 2 * DIGEST_LEN + KEY_LEN, KEY_LEN),
                slice(k, 2 * DIGEST_LEN + 2 * KEY_LEN, KH_LEN));
    }

    public byte[] df() {
        return df.clone();
    }

    public byte[] db() {
        return db.clone();
    }

    public byte[] kf() {
        return kf.clone();
    }

    public byte[] kb() {
        return kb.clone();
    }

    public byte[] kh() {
        return kh.clone();
    }

    /** Constant-time equality of all five values (tests, and both ends comparing in round trips). */
    public boolean sameAs(HopKeys o) {
        return Bytes.constantTimeEquals(df, o.df) & Bytes.constantTimeEquals(db, o.db)
                & Bytes.constantTimeEquals(kf, o.kf) & Bytes.constantTimeEquals(kb, o.kb)
                & Bytes.constantTimeEquals(kh, o.kh);
    }

    private static void need(byte[] k) {
        if (k.length < MATERIAL_LEN) {
            throw new IllegalArgumentException("key material must be at least " + MATERIAL_LEN + " bytes");
        }
    }

    private static byte[] exact(byte[] b, int n, String what) {
        if (b.length != n) {
            throw new IllegalArgumentException(what + " must be " + n + " bytes");
        }
        return b.clone();
    }

    private static byte[] slice(byte[] b, int off, int n) {
        byte[] out = new byte[n];
        System.arraycopy(b, off, out, 0, n);
        return out;
    }
}
