package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_SENDME (tor-spec §7.3.1, proposal 289). An empty body, or VERSION(1) DATA_LEN(2) DATA:
 * version 0 ignores DATA; version 1 carries DIGEST(20), the running digest of the DATA cell that triggered it
 * (DATA_LEN below 20 is an error, above 20 only the first 20 bytes count). Unknown versions are rejected:
 * §7.3.1 says the circuit is then torn down.
 */
public final class Sendme extends RelayMessage {
    public static final int DIGEST_LEN = 20;

    private final byte[] digest;

    private Sendme(byte[] digest) {
        this.digest = digest;
    }

    /** Version 0, sent as an empty body (stream-level SENDMEs, and circuits not using v1). */
    public static Sendme unauthenticated() {
        return new Sendme(null);
    }

    /** Version 1 with the 20-byte digest. */
    public static Sendme authenticated(byte[] digest) {
        return new Sendme(FixedFields.exact(digest, DIGEST_LEN, "SENDME digest"));
    }

    public int version() {
        return digest == null ? 0 : 1;
    }

    /** The v1 digest, or null for version 0. */
    public byte[] digest() {
        return digest == null ? null : digest.clone();
    }

    @Override
    public int relayCommand() {
        return RelayCommand.SENDME;
    }

    @Override
    public byte[] encode() {
        if (digest == null) {
            return new byte[0];
        }
        return new ByteWriter(3 + DIGEST_LEN).u8(1).u16(DIGEST_LEN).bytes(digest).toByteArray();
    }

    public static Sendme decode(byte[] data) {
        if (data.length == 0) {
            return unauthenticated();
        }
        ByteReader r = new ByteReader(data);
        int version = r.u8();
        int len = r.u16();
        byte[] body = r.bytes(len);
        switch (version) {
            case 0:
                return unauthenticated();
            case 1:
                if (len < DIGEST_LEN) {
                    throw new ProtocolException("SENDME v1 DATA_LEN " + len + " below " + DIGEST_LEN);
                }
                byte[] d = new byte[DIGEST_LEN];
                System.arraycopy(body, 0, d, 0, DIGEST_LEN);
                return new Sendme(d);
            default:
                throw new ProtocolException("unknown SENDME version " + version);
        }
    }
}
