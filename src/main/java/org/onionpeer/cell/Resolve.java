package org.onionpeer.cell;

import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * RELAY_RESOLVE (tor-spec §6.4): a hostname (or in-addr.arpa name for a reverse lookup), NUL-terminated; bytes
 * after the NUL are ignored.
 */
public final class Resolve extends RelayMessage {
    private final String hostname;

    public Resolve(String hostname) {
        if (hostname.isEmpty()) {
            throw new ProtocolException("RESOLVE hostname is empty");
        }
        RelayData.ascii(hostname, "RESOLVE hostname");
        this.hostname = hostname;
        RelayData.fits(encode(), "RESOLVE");
    }

    public String hostname() {
        return hostname;
    }

    @Override
    public int relayCommand() {
        return RelayCommand.RESOLVE;
    }

    @Override
    public byte[] encode() {
        return new ByteWriter(hostname.length() + 1).bytes(RelayData.ascii(hostname, "hostname")).u8(0)
                .toByteArray();
    }

    public static Resolve decode(byte[] data) {
        int nul = RelayData.nul(data, 0);
        if (nul < 0) {
            throw new ProtocolException("RESOLVE hostname is not NUL-terminated");
        }
        return new Resolve(RelayData.asciiToken(data, 0, nul, "RESOLVE hostname"));
    }
}
