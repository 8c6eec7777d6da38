package org.onionpeer.ordb;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ProtocolException;

/**
 * One ORDB message (the seed's "Messages format"), carried end to end inside a circuit as the data of a
 * relay cell whose relay command is {@link #command()} (see package-info for the numbers and the framing
 * of messages longer than one cell). Codecs are immutable; decoders throw {@link ProtocolException} with
 * the exact reason on anything malformed or oversized, before allocating what a length field claims.
 */
public abstract class OrdbMessage {
    /**
     * Relay command numbers. tor-spec assigns 1..22 (UDP 16..18 and conflux 19..22 included) and 32..44
     * (onion services, padding negotiation, flow control); we take 0xD0..0xD4, far from both. These cells
     * only travel between the two ends of our own circuits (relays in between cannot read their command);
     * a tor endpoint would drop them as unknown commands (tor-spec §6.1).
     */
    public static final int DB_QUERY = 0xD0;
    public static final int DB_CONNECTED = 0xD1;
    public static final int DB_DATA = 0xD2;
    public static final int DB_INFO = 0xD3;
    public static final int DB_END = 0xD4;

    /** The largest encoded message: a DB_DATA with a 24-hash proof, a 64 KiB chunk and a live window. */
    public static final int MAX_LENGTH = DbData.MAX_LENGTH;

    OrdbMessage() {
    }

    public abstract int command();

    public abstract byte[] encode();

    public static String name(int command) {
        switch (command) {
            case DB_QUERY: return "DB_QUERY";
            case DB_CONNECTED: return "DB_CONNECTED";
            case DB_DATA: return "DB_DATA";
            case DB_INFO: return "DB_INFO";
            case DB_END: return "DB_END";
            default: return "command " + command;
        }
    }

    /** Decodes the body of a relay message with an ORDB command. */
    public static OrdbMessage decode(int command, byte[] body) {
        if (body.length > MAX_LENGTH) {
            throw new ProtocolException(name(command) + " of " + body.length + " bytes over " + MAX_LENGTH);
        }
        switch (command) {
            case DB_QUERY: return DbQuery.decode(body);
            case DB_CONNECTED: return DbConnected.decode(body);
            case DB_DATA: return DbData.decode(body);
            case DB_INFO: return DbInfo.decode(body);
            case DB_END: return DbEnd.decode(body);
            default: throw new ProtocolException("not an ORDB command: " + command);
        }
    }

    static void end(ByteReader r, int command) {
        if (r.hasRemaining()) {
            throw new ProtocolException("trailing bytes after " + name(command));
        }
    }

    @Override
    public String toString() {
        return name(command());
    }
}
