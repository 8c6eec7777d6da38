package org.onionpeer.cell;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/** VERSIONS (tor-spec §4.1): a list of big-endian u16 link protocol versions, no padding allowed. */
public final class Versions extends ChannelMessage {
    private final int[] versions;

    public Versions(int... versions) {
        if (versions.length > Cell.MAX_VAR_PAYLOAD_LEN / 2) {
            throw new ProtocolException("too many versions");
        }
        for (int v : versions) {
            if (v < 0 || v > 0xffff) {
                throw new ProtocolException("version out of range: " + v);
            }
        }
        this.versions = versions.clone();
    }

    public int[] versions() {
        return versions.clone();
    }

    @Override
    public int command() {
        return CellCommand.VERSIONS;
    }

    @Override
    public byte[] encode() {
        ByteWriter w = new ByteWriter(versions.length * 2);
        for (int v : versions) {
            w.u16(v);
        }
        return w.toByteArray();
    }

    /** §4.1: a VERSIONS payload of odd length is not well-formed and MUST close the connection. */
    public static Versions decode(byte[] payload) {
        if ((payload.length & 1) != 0) {
            throw new ProtocolException("VERSIONS payload has odd length " + payload.length);
        }
        ByteReader r = new ByteReader(payload);
        int[] v = new int[payload.length / 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.u16();
        }
        return new Versions(v);
    }
}
