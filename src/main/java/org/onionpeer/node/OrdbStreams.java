package org.onionpeer.node;

import org.onionpeer.cell.DestroyReason;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;

/**
 * The ORDB end of one {@link RelayCircuit}, at its last hop: relay cells with commands DB_QUERY..DB_END
 * (0xD0..0xD4) recognized here go to the router's {@link OnionRouter.OrdbHandler} as one {@link OrdbLink}
 * per circuit (each query on its own StreamID; DB_INFO on stream 0), and what the handler sends goes back to
 * the OP on the same circuit.
 *
 * <ul>
 * <li><b>No ORDB here</b> ({@code ordbHandler} null, or it refused the circuit): the cells are dropped,
 * as tor-spec §6.1 (relay-cells) says of a recognized cell whose command is not understood ("the cell must
 * be dropped and ignored"; its contents still count for the digest, which the crypto layer already did).
 * They are not counted in the circuit window either, as tor counts only DATA: an OP that sends DB_* to a
 * relay that does not speak ORDB hears nothing, and its Download replaces the silent circuit. No END: an
 * END would tell a prober more than tor itself says, and there is no stream to end (no BEGIN opened one).</li>
 * <li><b>An ORDB</b>: DB_* cells count in the circuit window exactly like DATA, both ways (both ends of an
 * ORDB circuit speak ORDB, so both count them; DB_DATA is bulk and needs the window). A framing error (a
 * length over the limit, a cell of another command inside a message) throws ProtocolException: the
 * RelayCircuit tears the circuit down with DESTROY(PROTOCOL). A well-framed but malformed message is the
 * handler's to refuse (OrdbServer: DB_END REFUSED on the query's stream).</li>
 * </ul>
 */
final class OrdbStreams {
    /** Numbers links for their names (logs, OrdbServer's lists); single-threaded like the rest of the node. */
    private static long links;
    private final RelayCircuit circuit;
    private CircuitLink link;
    private boolean refused;

    OrdbStreams(RelayCircuit circuit) {
        this.circuit = circuit;
    }

    static boolean isOrdbCommand(int command) {
        return command >= OrdbMessage.DB_QUERY && command <= OrdbMessage.DB_END;
    }

    /** A recognized DB_* cell from the OP. */
    void onCell(int stream, int command, byte[] data) {
        OnionRouter router = circuit.router();
        if (link == null && !refused) {
            OnionRouter.OrdbHandler h = router.config().ordbHandler;
            OrdbLink.Handler handler = null;
            if (h != null) {
                link = newLink();
                handler = h.attach(link);
            }
            if (handler == null) {
                link = null;
                refused = true;
            } else {
                link.setHandler(handler);
            }
        }
        if (refused) {
            router.ordbCellDropped();
            return;
        }
        circuit.countDelivered();
        link.onCell(stream, command, data);
    }

    private CircuitLink newLink() {
        Node node = circuit.node();
        String name = "in-" + (++links);
        return new CircuitLink(name, node.scheduler(), new CircuitLink.Port() {
            @Override
            public boolean canSend() {
                return circuit.canSendData();
            }

            @Override
            public void send(int command, int stream, byte[] data) {
                circuit.sendCounted(command, stream, data);
            }

            @Override
            public void close() {
                // The server closes a circuit only when its OP broke the protocol (a source sending garbage),
                // or when it stopped reading what it asked for (CircuitLink's queue bound).
                circuit.close(DestroyReason.PROTOCOL, true, true);
            }
        }, CircuitLink.DEFAULT_MAX_QUEUED);
    }

    /** A SENDME reopened the circuit window. */
    void windowOpened() {
        if (link != null) {
            link.windowOpened();
        }
    }

    void circuitClosed() {
        if (link != null) {
            link.circuitClosed();
        }
    }

    /** The circuit's ORDB link, or null (tests). */
    CircuitLink link() {
        return link;
    }
}
