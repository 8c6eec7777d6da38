package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/**
 * How cells are framed on one link (tor-spec §3): CIRCID_LEN is 2 for link protocol 3 and for every cell up to
 * and including the first VERSIONS cell, 4 for link protocol 4 and later. Fixed cells are CircID Cmd
 * Payload(509), so 512 bytes on v3 and 514 on v4/v5; variable cells are CircID Cmd Len(2) Payload.
 */
public final class LinkFormat {
    /** Before VERSIONS is negotiated: 2-byte CircIDs (tor-spec §3, "for backward compatibility"). */
    public static final LinkFormat INITIAL = new LinkFormat(0, 2);
    public static final LinkFormat V3 = new LinkFormat(3, 2);
    public static final LinkFormat V4 = new LinkFormat(4, 4);
    public static final LinkFormat V5 = new LinkFormat(5, 4);

    private final int version;
    private final int circIdLen;

    private LinkFormat(int version, int circIdLen) {
        this.version = version;
        this.circIdLen = circIdLen;
    }

    /**
     * The framing for a negotiated link protocol version. Versions 1 and 2 (certs-up-front and renegotiation
     * handshakes) are not supported (tor-spec §4.1: in-protocol handshakes list nothing below 3).
     */
    public static LinkFormat forVersion(int version) {
        switch (version) {
            case 3:
                return V3;
            case 4:
                return V4;
            case 5:
                return V5;
            default:
                if (version > 5 && version <= 0xffff) {
                    return new LinkFormat(version, 4); // tor-spec §3: 4-byte CircIDs for every v >= 4
                }
                throw new ProtocolException("unsupported link protocol version " + version);
        }
    }

    /** The negotiated version, or 0 for {@link #INITIAL}. */
    public int version() {
        return version;
    }

    public int circIdLen() {
        return circIdLen;
    }

    /** Length of a whole fixed-size cell on the wire: 512 (2-byte CircID) or 514. */
    public int fixedCellLen() {
        return circIdLen + 1 + Cell.PAYLOAD_LEN;
    }

    /** Bytes before a variable cell's payload: CircID, Cmd, Len(2). */
    public int varHeaderLen() {
        return circIdLen + 3;
    }

    /** The largest CircID this framing can carry. */
    public long maxCircId() {
        return circIdLen == 2 ? 0xffffL : 0xffffffffL;
    }

    @Override
    public String toString() {
        return version == 0 ? "link(initial)" : "link(v" + version + ")";
    }
}
