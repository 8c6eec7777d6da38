package org.onionpeer.cell;

/** Decodes a cell's payload into the message type its command names. */
public final class ChannelMessages {
    private ChannelMessages() {
    }

    /**
     * The typed message in {@code cell}. CERTS (whose body the cert package decodes) and commands tor-spec does
     * not define come back as {@link OpaqueMessage}: §3 says unknown commands are dropped, not fatal.
     */
    public static ChannelMessage decode(Cell cell) {
        return decode(cell.command(), cell.payload());
    }

    public static ChannelMessage decode(int command, byte[] payload) {
        switch (command) {
            case CellCommand.PADDING:
                return Padding.decode(payload);
            case CellCommand.CREATE:
                return Create.decode(payload);
            case CellCommand.CREATED:
                return Created.decode(payload);
            case CellCommand.RELAY:
                return Relay.decode(payload);
            case CellCommand.DESTROY:
                return Destroy.decode(payload);
            case CellCommand.CREATE_FAST:
                return CreateFast.decode(payload);
            case CellCommand.CREATED_FAST:
                return CreatedFast.decode(payload);
            case CellCommand.VERSIONS:
                return Versions.decode(payload);
            case CellCommand.NETINFO:
                return Netinfo.decode(payload);
            case CellCommand.RELAY_EARLY:
                return Relay.decodeEarly(payload);
            case CellCommand.CREATE2:
                return Create2.decode(payload);
            case CellCommand.CREATED2:
                return Created2.decode(payload);
            case CellCommand.PADDING_NEGOTIATE:
                return PaddingNegotiate.decode(payload);
            case CellCommand.VPADDING:
                return VPadding.decode(payload);
            case CellCommand.AUTH_CHALLENGE:
                return AuthChallenge.decode(payload);
            case CellCommand.AUTHENTICATE:
                return Authenticate.decode(payload);
            case CellCommand.AUTHORIZE:
                return Authorize.decode(payload);
            default:
                return new OpaqueMessage(command, payload);
        }
    }
}
