package org.onionpeer.cell;

/**
 * RELAY_CONFLUX_LINKED_ACK (21; proposal 329 §2.1): the client's acknowledgement of LINKED on each leg, which lets
 * the exit measure that leg's first RTT. Its body is empty; anything in it is ignored (tor's trunnel payload).
 */
public final class ConfluxLinkedAck extends RelayMessage {
    @Override
    public int relayCommand() {
        return RelayCommand.CONFLUX_LINKED_ACK;
    }

    @Override
    public byte[] encode() {
        return new byte[0];
    }

    public static ConfluxLinkedAck decode(byte[] data) {
        return new ConfluxLinkedAck();
    }
}
