package org.onionpeer.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Created2;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.circuit.RelayCircuitCrypto;
import org.onionpeer.crypto.CreateFast;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.transport.Connector;

/**
 * The onion-router role of a node (tor-spec §5): answers CREATE_FAST and CREATE2/ntor, then runs each
 * circuit through a {@link RelayCircuit} (one layer of relay crypto, forwarding, EXTEND2, and, when
 * configured as an exit, streams to the outside and BEGIN_DIR).
 */
public final class OnionRouter implements Node.CreateHandler {
    /** How an EXTEND2's link specifiers are turned into a relay we can link to. */
    public interface RelayLocator {
        /** The relay with this RSA identity (and Ed25519 identity, when given), or null if unknown. */
        RelayInfo locate(byte[] rsaId, byte[] edIdOrNull, LinkTarget tlsAddressOrNull);
    }

    /** What the router needs beyond the node; fields are explicit limits and switches. */
    public static final class Config {
        /** SHA-1 of our RSA identity key: ntor's NODEID. */
        public byte[] nodeId;
        /** Our ntor onion keys (current first). */
        public List<Ntor.Keypair> onionKeys = new ArrayList<>();
        public RelayPrimitives primitives;
        public RelayLocator locator;
        /** Null: not an exit. */
        public Connector exitConnector;
        /** Asked about each resolved destination (the exit policy). */
        public Connector.AddressFilter exitPolicy = (addr, port) -> false;
        /** Served to BEGIN_DIR streams by path, e.g. "/tor/directory"; null when we are no directory. */
        public DirectorySource directory;
        public int maxStreamsPerCircuit = 256;
        /** tor-spec §5.6: at most 8 RELAY_EARLY cells on a circuit. */
        public int maxRelayEarly = 8;
        /** Refuse CREATE_FAST on links not bound by TLS: over WebSocket/WebRTC ntor is the only proof. */
        public boolean createFastOnlyOnAuthenticatedLinks = true;
        public long extendTimeoutMillis = 30_000;
        /**
         * ntor v3 (CREATE2 HTYPE 3) and with it congestion control at this end (prop324); null: only ntor v1,
         * and the descriptor must not claim Relay=4 or FlowCtrl=2.
         */
        public org.onionpeer.circuit.RelayHandshake ntorV3;
        /** Bytes per second this node passes along circuits (both ways), 0: unlimited (see {@link RelayPacer}). */
        public long relayBytesPerSecond;
        /**
         * Null: not an ORDB (DB_* relay cells reaching us as last hop are dropped, as tor-spec drops unknown
         * relay commands). Else it serves the ORDB link of each circuit whose OP speaks ORDB to us (see
         * {@link OrdbStreams}).
         */
        public OrdbHandler ordbHandler;
    }

    /** An ORDB's serving side, e.g. {@code link -> server.attach(link, false)} for an OrdbServer. */
    public interface OrdbHandler {
        /** A circuit ending here carries ORDB messages: the handler for its link (null refuses it). */
        org.onionpeer.ordb.OrdbLink.Handler attach(org.onionpeer.ordb.OrdbLink circuit);
    }

    /** Documents a relay serves over BEGIN_DIR. */
    public interface DirectorySource {
        /** The document at {@code path}, or null (404). */
        String document(String path);
    }

    private final Node node;
    private final Config config;
    private final PaddingSource padding;
    private final byte[] scratchBody = new byte[org.onionpeer.cell.RelayCell.BODY_LEN];
    private int circuits;
    /** Circuits relayed per peer address (capped by {@link NodeLimits#maxCircuitsPerAddress}). */
    private final Map<IpAddress, Integer> circuitsByAddress = new HashMap<>();
    /** What a Channel reports when the platform gave no peer address. */
    private static final IpAddress UNKNOWN_PEER = IpAddress.ipv4(0, 0, 0, 0);
    private long created;
    private long exitStreamsBegun;
    private int edgeStreams;
    private long congestionControlled;
    /** The circuit created last, and the last to begin an exit stream (diagnostics, tests). */
    private final RelayPacer pacer;
    private RelayCircuit lastCreated;
    private RelayCircuit lastExitCircuit;
    /** DB_* cells dropped because we are no ORDB (tests, diagnostics). */
    private long ordbCellsDropped;

    public OnionRouter(Node node, Config config) {
        this.node = node;
        this.config = config;
        this.padding = (buf, off, len) -> {
            byte[] r = new byte[len];
            node.entropy().nextBytes(r);
            System.arraycopy(r, 0, buf, off, len);
        };
        config.onionKeys = Collections.unmodifiableList(new ArrayList<>(config.onionKeys));
        this.pacer = config.relayBytesPerSecond > 0 ? new RelayPacer(node.scheduler(), config.relayBytesPerSecond)
                : null;
        node.setCreateHandler(this);
    }

    /** Paces what we relay for others, or null (unlimited: JVM relays). */
    public RelayPacer pacer() {
        return pacer;
    }

    Node node() {
        return node;
    }

    /** Makes (or stops making) this router an ORDB; circuits already speaking ORDB keep their handler. */
    public void setOrdbHandler(OrdbHandler h) {
        config.ordbHandler = h;
    }

    Config config() {
        return config;
    }

    PaddingSource padding() {
        return padding;
    }

    /**
     * One relay body's scratch shared by this router's circuits (loop-confined): an exit makes each DATA cell
     * there, and the link copies it as it sends or the circuit detaches it before it waits, so no cell outlives
     * the next use.
     */
    byte[] scratchBody() {
        return scratchBody;
    }

    /** Live circuits through this router. */
    public int circuitCount() {
        return circuits;
    }

    /** Circuits since start whose OP negotiated congestion control with us (ntor v3, prop324). */
    public long congestionControlledCount() {
        return congestionControlled;
    }

    RelayCircuit lastCreated() {
        return lastCreated;
    }

    RelayCircuit lastExitCircuit() {
        return lastExitCircuit;
    }

    /** DB_* relay cells that reached us as last hop and were dropped because we are no ORDB. */
    public long ordbCellsDropped() {
        return ordbCellsDropped;
    }

    void ordbCellDropped() {
        ordbCellsDropped++;
    }

    /** Circuits created since start. */
    public long createdCount() {
        return created;
    }

    /** BEGIN requests this router took on as an exit (policy checks and connects come after). */
    public long exitStreamsBegun() {
        return exitStreamsBegun;
    }

    void exitStreamBegun(RelayCircuit on) {
        exitStreamsBegun++;
        lastExitCircuit = on;
    }

    void circuitClosed(Channel prev) {
        circuits--;
        IpAddress from = knownPeer(prev);
        if (from != null) {
            circuitsByAddress.computeIfPresent(from, (a, n) -> n <= 1 ? null : n - 1);
        }
    }

    /** Circuits relayed now for peers at {@code address} (over all their links). */
    public int circuitsFrom(IpAddress address) {
        return circuitsByAddress.getOrDefault(address, 0);
    }

    /** The peer's address when the platform told it (not 0.0.0.0). */
    private static IpAddress knownPeer(Channel ch) {
        IpAddress a = ch.peerAddress();
        return a == null || a.equals(UNKNOWN_PEER) ? null : a;
    }

    /** Exit and directory streams open now, over all circuits (capped by {@link NodeLimits#maxExitStreams}). */
    public int edgeStreams() {
        return edgeStreams;
    }

    void edgeStreamOpened() {
        edgeStreams++;
    }

    void edgeStreamClosed() {
        edgeStreams--;
    }

    @Override
    public void onCreate(Channel channel, Cell cell) {
        long circId = cell.circId();
        if (!channel.isPeerCircId(circId)) {
            // tor-spec §5.1.1: the peer must use the CircID half its role owns.
            channel.close("protocol error: CREATE with a CircID of the wrong half");
            return;
        }
        // The node-wide cap first, then the peer address's share of it (its links together), then the link's
        // own (Channel.Limits.maxCircuits).
        IpAddress from = knownPeer(channel);
        if (circuits >= node.limits().maxRelayCircuits
                || (from != null && circuitsFrom(from) >= node.limits().maxCircuitsPerAddress)
                || !channel.registerPeerCircuit(circId)) {
            destroy(channel, circId, DestroyReason.RESOURCELIMIT);
            return;
        }
        try {
            RelayCircuitCrypto crypto;
            Cell reply;
            org.onionpeer.circuit.Vegas vegas = null;
            switch (cell.command()) {
                case CellCommand.CREATE_FAST: {
                    if (config.createFastOnlyOnAuthenticatedLinks && !channel.isTransportBound()) {
                        channel.releaseCircId(circId);
                        destroy(channel, circId, DestroyReason.PROTOCOL);
                        return;
                    }
                    byte[] y = new byte[20];
                    node.entropy().nextBytes(y);
                    CreateFast.ServerResult r = CreateFast.server(cell.payload(), y);
                    crypto = new RelayCircuitCrypto(r.keys, config.primitives);
                    reply = new Cell(circId, CellCommand.CREATED_FAST, r.reply);
                    break;
                }
                case CellCommand.CREATE2: {
                    Create2 c2 = Create2.decode(cell.payload());
                    byte[] y = new byte[32];
                    node.entropy().nextBytes(y);
                    if (config.ntorV3 != null && c2.handshakeType() == config.ntorV3.handshakeType()) {
                        org.onionpeer.circuit.RelayHandshake.Result r3 =
                                config.ntorV3.respond(c2.handshakeData(), y);
                        crypto = new RelayCircuitCrypto(r3.keys, config.primitives);
                        reply = new Created2(r3.reply).toCell(circId);
                        if (r3.sendmeInc > 0) {
                            vegas = new org.onionpeer.circuit.Vegas(r3.params, r3.sendmeInc);
                        }
                        break;
                    }
                    if (c2.handshakeType() != Create2.HTYPE_NTOR) {
                        throw new ProtocolException("unsupported handshake type " + c2.handshakeType());
                    }
                    Ntor.ServerResult r = Ntor.server(config.nodeId, config.onionKeys, c2.handshakeData(), y);
                    crypto = new RelayCircuitCrypto(r.keys, config.primitives);
                    reply = new Created2(r.reply).toCell(circId);
                    break;
                }
                default: // TAP CREATE: obsolete, unsupported
                    throw new ProtocolException("TAP CREATE is not supported");
            }
            RelayCircuit rc = new RelayCircuit(this, channel, circId, crypto, vegas);
            node.circuits().put(channel, circId, rc.previousSide());
            circuits++;
            if (from != null) {
                circuitsByAddress.merge(from, 1, Integer::sum);
            }
            created++;
            if (vegas != null) {
                congestionControlled++;
            }
            lastCreated = rc;
            channel.send(reply);
        } catch (ProtocolException e) {
            channel.releaseCircId(circId);
            destroy(channel, circId, DestroyReason.PROTOCOL);
        }
    }

    static void destroy(Channel channel, long circId, int reason) {
        channel.send(new Cell(circId, CellCommand.DESTROY, new byte[] {(byte) reason}));
    }
}
