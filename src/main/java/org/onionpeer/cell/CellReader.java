package org.onionpeer.cell;

import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * Splits a byte stream (TCP/TLS, or WebSocket frames carrying any number of whole or partial cells) into cells.
 * Push bytes with {@link #push} or {@link #offer}, then call {@link #next()} until it returns null.
 *
 * <p>Before the link version is set, cells are framed with a 2-byte CircID (tor-spec §3) and only
 * variable-length cells are accepted: the in-protocol handshake starts with VERSIONS, VPADDING or AUTHORIZE
 * (tor-spec §4), and a fixed cell here would come from an unsupported v1 link. After handing out a VERSIONS
 * cell in that state the reader waits for {@link #setLinkVersion}, since the bytes that follow are framed by
 * the negotiated version.
 *
 * <p>Limits: a variable cell's payload may not exceed {@code maxVarPayload} (default 65535, the whole u16
 * range, because CERTS and VPADDING have no smaller spec bound and a lower default could break a legitimate
 * peer; links that know better can lower it), and at most {@code maxBuffered} bytes are ever held. After a
 * ProtocolException the reader is dead: the link must be closed.
 */
public final class CellReader {
    public static final int DEFAULT_MAX_VAR_PAYLOAD = Cell.MAX_VAR_PAYLOAD_LEN;
    public static final int DEFAULT_MAX_BUFFERED = 256 * 1024;

    private final int maxVarPayload;
    private final int maxBuffered;
    private LinkFormat format = LinkFormat.INITIAL;
    private boolean negotiated;
    private boolean awaitingVersion;
    private String failure;
    private byte[] buf = new byte[1024];
    private int start;
    private int end;

    public CellReader() {
        this(DEFAULT_MAX_VAR_PAYLOAD, DEFAULT_MAX_BUFFERED);
    }

    /** {@code maxBuffered} must hold at least one largest cell, or such a cell could never be assembled. */
    public CellReader(int maxVarPayload, int maxBuffered) {
        if (maxVarPayload < 0 || maxVarPayload > Cell.MAX_VAR_PAYLOAD_LEN) {
            throw new IllegalArgumentException("maxVarPayload out of range");
        }
        if (maxBuffered < maxVarPayload + 7 || maxBuffered < 514) {
            throw new IllegalArgumentException("maxBuffered smaller than one cell");
        }
        this.maxVarPayload = maxVarPayload;
        this.maxBuffered = maxBuffered;
    }

    /** Switches framing after VERSIONS negotiation (tor-spec §4.1); allowed once. */
    public void setLinkVersion(int version) {
        setFormat(LinkFormat.forVersion(version));
    }

    public void setFormat(LinkFormat f) {
        if (negotiated) {
            throw new IllegalStateException("link version already set");
        }
        if (f == LinkFormat.INITIAL) {
            throw new IllegalArgumentException("not a negotiated format");
        }
        format = f;
        negotiated = true;
        awaitingVersion = false;
    }

    public LinkFormat format() {
        return format;
    }

    public int buffered() {
        return end - start;
    }

    /** Free room before the buffer bound is reached. */
    public int room() {
        return maxBuffered - buffered();
    }

    /** Appends all of {@code b[off..off+len)}; throws ProtocolException if that would exceed the bound. */
    public void push(byte[] b, int off, int len) {
        checkAlive();
        if (len > room()) {
            fail("receive buffer limit " + maxBuffered + " exceeded");
        }
        offer(b, off, len);
    }

    public void push(byte[] b) {
        push(b, 0, b.length);
    }

    /** Appends as much as fits and returns how many bytes were taken (for callers that apply back-pressure). */
    public int offer(byte[] b, int off, int len) {
        checkAlive();
        if (off < 0 || len < 0 || off + len > b.length) {
            throw new IllegalArgumentException("bad range");
        }
        int n = Math.min(len, room());
        if (end + n > buf.length) {
            int have = end - start;
            if (have + n <= buf.length && start > 0) {
                System.arraycopy(buf, start, buf, 0, have);
            } else {
                byte[] nb = new byte[Math.min(maxBuffered, Math.max(buf.length * 2, have + n))];
                System.arraycopy(buf, start, nb, 0, have);
                buf = nb;
            }
            start = 0;
            end = have;
        }
        System.arraycopy(b, off, buf, end, n);
        end += n;
        return n;
    }

    /** The next complete cell, or null when more bytes are needed. The cell owns its payload. */
    public Cell next() {
        return next(false);
    }

    /**
     * As {@link #next}, but the cell's payload stays in this reader's buffer (no allocation per cell: in a page
     * each would be an off-heap typed array). The caller must {@link Cell#detach} the cell before the next
     * {@link #offer}/{@link #push}, which may reuse the buffer; cells from several calls in a row stay valid
     * until then. A link's loop: offer, then nextView and detach each cell once handled.
     */
    public Cell nextView() {
        return next(true);
    }

    private Cell next(boolean view) {
        checkAlive();
        if (awaitingVersion) {
            throw new IllegalStateException("VERSIONS received: set the link version before reading on");
        }
        int idLen = format.circIdLen();
        int have = end - start;
        if (have < idLen + 1) {
            return null;
        }
        int command = buf[start + idLen] & 0xff;
        int headerLen;
        int payloadLen;
        if (CellCommand.isVariable(command)) {
            if (have < idLen + 3) {
                return null;
            }
            payloadLen = Bytes.u16(buf, start + idLen + 1);
            if (payloadLen > maxVarPayload) {
                fail("variable cell " + CellCommand.name(command) + " payload " + payloadLen + " exceeds limit "
                        + maxVarPayload);
            }
            headerLen = idLen + 3;
        } else {
            if (!negotiated) {
                fail("fixed-size cell " + CellCommand.name(command) + " before VERSIONS");
            }
            payloadLen = Cell.PAYLOAD_LEN;
            headerLen = idLen + 1;
        }
        if (have < headerLen + payloadLen) {
            return null;
        }
        long circId = idLen == 2 ? Bytes.u16(buf, start) : Bytes.u32(buf, start);
        int at = start + headerLen;
        start += headerLen + payloadLen;
        if (start == end) {
            start = 0; // the bytes stay where they are until the next offer: a view of them is still valid
            end = 0;
        }
        if (!negotiated && command == CellCommand.VERSIONS) {
            awaitingVersion = true;
        }
        return view ? Cell.view(circId, command, buf, at, payloadLen)
                : Cell.owned(circId, command, Bytes.slice(buf, at, payloadLen));
    }

    private void checkAlive() {
        if (failure != null) {
            throw new ProtocolException("cell reader failed earlier: " + failure);
        }
    }

    private void fail(String why) {
        failure = why;
        throw new ProtocolException(why);
    }
}
