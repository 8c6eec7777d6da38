package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.RelayCell;

/**
 * How ORDB messages ride in relay cells. A message of L bytes on a stream is sent as relay cells with the
 * message's command and the stream's StreamID: the first cell's data is length(3) = L followed by up to
 * 495 bytes of the message, each following cell's data is the next up to 498 bytes, until L bytes have gone.
 * Cells of different streams may interleave; cells of one stream are in order (the circuit keeps order),
 * and a stream carries one message at a time. A 16 KiB chunk with a proof of up to 12 hashes (4096 chunks, 64 MiB) is 34 cells.
 *
 * <p>{@link Reassembler} refuses a length over {@link OrdbMessage#MAX_LENGTH} before buffering anything,
 * a cell whose command differs from its message's first, and a first cell too short to hold the length.
 */
public final class OrdbFrames {
    public static final int FIRST = RelayCell.MAX_DATA_LEN - 3;

    private OrdbFrames() {
    }

    /** The relay cell data for {@code m}, in order. */
    public static List<byte[]> split(OrdbMessage m) {
        byte[] b = m.encode();
        List<byte[]> out = new ArrayList<>();
        int first = Math.min(FIRST, b.length);
        byte[] c = new byte[3 + first];
        c[0] = (byte) (b.length >>> 16);
        c[1] = (byte) (b.length >>> 8);
        c[2] = (byte) b.length;
        System.arraycopy(b, 0, c, 3, first);
        out.add(c);
        for (int off = first; off < b.length; off += RelayCell.MAX_DATA_LEN) {
            out.add(Bytes.slice(b, off, Math.min(RelayCell.MAX_DATA_LEN, b.length - off)));
        }
        return out;
    }

    /** Puts a circuit's ORDB cells back together, per stream. */
    public static final class Reassembler {
        private static final class Partial {
            final int command;
            final byte[] buf;
            int have;

            Partial(int command, int length) {
                this.command = command;
                this.buf = new byte[length];
            }
        }

        private final Map<Integer, Partial> partial = new HashMap<>();

        /** Takes one cell's data; returns the whole message body when this cell completes it, else null. */
        public byte[] add(int stream, int command, byte[] data) {
            Partial p = partial.get(stream);
            int off = 0;
            if (p == null) {
                if (data.length < 3) {
                    throw new ProtocolException(OrdbMessage.name(command) + " first cell of " + data.length + " bytes");
                }
                int len = (data[0] & 0xff) << 16 | (data[1] & 0xff) << 8 | (data[2] & 0xff);
                if (len > OrdbMessage.MAX_LENGTH) {
                    throw new ProtocolException("ORDB message of " + len + " bytes over " + OrdbMessage.MAX_LENGTH);
                }
                p = new Partial(command, len);
                off = 3;
            } else if (p.command != command) {
                throw new ProtocolException(OrdbMessage.name(command) + " cell inside a " + OrdbMessage.name(p.command)
                        + " on stream " + stream);
            }
            int n = data.length - off;
            if (n > p.buf.length - p.have) {
                throw new ProtocolException("cell runs " + (n - (p.buf.length - p.have)) + " bytes past its message");
            }
            System.arraycopy(data, off, p.buf, p.have, n);
            p.have += n;
            if (p.have == p.buf.length) {
                partial.remove(stream);
                return p.buf;
            }
            partial.put(stream, p);
            return null;
        }

        /** A stream ended: drops what it had half-sent. */
        public void forget(int stream) {
            partial.remove(stream);
        }

        /** Streams with a message in progress. */
        public int pending() {
            return partial.size();
        }
    }
}
