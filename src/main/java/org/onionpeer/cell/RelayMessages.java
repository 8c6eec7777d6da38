package org.onionpeer.cell;

/** Decodes relay data into the message type its relay command names. */
public final class RelayMessages {
    private RelayMessages() {
    }

    /**
     * Unknown commands come back as {@link OpaqueRelayMessage}: tor-spec §6.1 says a recognized cell with an
     * unknown command is dropped (after counting it), which is the circuit's decision, not the decoder's.
     * Conflux's commands stay opaque here too: only {@code ConfluxSet} (JVM onion proxy) decodes them, and
     * leaving them out keeps their codecs out of the page's bundle.
     */
    public static RelayMessage decode(int command, byte[] data) {
        switch (command) {
            case RelayCommand.BEGIN:
                return Begin.decode(data);
            case RelayCommand.DATA:
                return Data.decode(data);
            case RelayCommand.END:
                return End.decode(data);
            case RelayCommand.CONNECTED:
                return Connected.decode(data);
            case RelayCommand.SENDME:
                return Sendme.decode(data);
            case RelayCommand.EXTEND:
                return Extend.decode(data);
            case RelayCommand.EXTENDED:
                return Extended.decode(data);
            case RelayCommand.TRUNCATE:
                return Truncate.decode(data);
            case RelayCommand.TRUNCATED:
                return Truncated.decode(data);
            case RelayCommand.DROP:
                return Drop.decode(data);
            case RelayCommand.RESOLVE:
                return Resolve.decode(data);
            case RelayCommand.RESOLVED:
                return Resolved.decode(data);
            case RelayCommand.BEGIN_DIR:
                return BeginDir.decode(data);
            case RelayCommand.EXTEND2:
                return Extend2.decode(data);
            case RelayCommand.EXTENDED2:
                return Extended2.decode(data);
            case RelayCommand.XOFF:
                return Xoff.decode(data);
            case RelayCommand.XON:
                return Xon.decode(data);
            default:
                return new OpaqueRelayMessage(command, data);
        }
    }
}
