package org.onionpeer.node;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbMessage;
import org.onionpeer.ordb.OrdbServer;

/**
 * ORDB links over circuits this node builds (the OP side): to an ORDB chosen by the onion proxy's path
 * selection as {@code pathLength} hops, guard -> middle(s) -> ORDB, so the ORDB sees only the hop before it
 * and the first hop never learns which ORDB we talk to. Used by a requester ({@link #connector}: a Download's
 * circuits), by a publisher (its circuits to the ORDBs it advertises to), and by an ORDB forwarding
 * upstream ({@link #finder}): the source found is reached through a circuit of the ORDB's own, so a
 * publisher and a requester never share a link.
 *
 * <p>The link is returned at once; messages sent before the circuit is built wait in it (the circuit
 * window is closed until then), and a circuit that fails to build closes the link (onClosed).
 */
public final class OrdbCircuits {
    /**
     * Where a hash_name's sources are (the DHT's FIND_VALUE in the wiring, {@code peer.OrdbDiscovery}):
     * {@code found} gets, later or at once, the nodes that can answer for it, best first (verified by the
     * lookup), or an empty list.
     */
    public interface Lookup {
        void find(HashName h, Consumer<List<RelayInfo>> found);
    }

    /** An ORDB's finder opens circuits to at most this many of the sources a lookup gives. */
    public static final int MAX_FOUND = 2;

    private final OnionProxy proxy;
    private final List<ClientCircuit> circuits = new ArrayList<>();
    private long maxQueued = CircuitLink.DEFAULT_MAX_QUEUED;
    private boolean disjoint;
    /** Paths of our circuits from when they are chosen until they close (those building too, for disjoint). */
    private final List<List<RelayInfo>> livePaths = new ArrayList<>();

    public OrdbCircuits(OnionProxy proxy) {
        this.proxy = proxy;
    }

    /** Every circuit this built (tests, diagnostics: paths, states). */
    public List<ClientCircuit> circuits() {
        return new ArrayList<>(circuits);
    }

    /**
     * Off by default: paths chosen as any circuit's. On: a new circuit's first hop and middle are none of the
     * relays on our circuits still open, nor (for a {@link #connector}) any of its ORDBs, when the directory
     * allows it. Concurrent circuits then do not split one relay's rate between them (a relay on two of a
     * download's circuits halves both), and no relay but the ORDBs sees more than one of them.
     */
    public OrdbCircuits disjoint(boolean on) {
        this.disjoint = on;
        return this;
    }

    /** Attempts at building a circuit to an ORDB before its link closes: a page on the path may have left. */
    public static final int BUILD_ATTEMPTS = 3;

    /**
     * A circuit to {@code ordb}, its ORDB link delivering to {@code handler}. A circuit that closes before it
     * is built is built again on another path (up to {@link #BUILD_ATTEMPTS} in all), the peer it could not
     * extend to left alone for a while, so one departed page on the way does not cost the ORDB.
     */
    public CircuitLink open(RelayInfo ordb, OrdbLink.Handler handler) {
        return open(ordb, handler, Set.of());
    }

    private CircuitLink open(RelayInfo ordb, OrdbLink.Handler handler, Set<String> alsoAvoid) {
        ClientCircuit[] circuit = new ClientCircuit[1];
        boolean[] cancelled = new boolean[1];
        List<?>[] chosen = new List<?>[1];
        CircuitLink link = new CircuitLink(ordb.nickname(), proxy.scheduler(), new CircuitLink.Port() {
            @Override
            public boolean canSend() {
                return circuit[0] != null && circuit[0].canSendCounted();
            }

            @Override
            public void send(int command, int stream, byte[] data) {
                circuit[0].sendCounted(command, stream, data);
            }

            @Override
            public void close() {
                cancelled[0] = true;
                forget(chosen[0]);
                if (circuit[0] != null) {
                    circuit[0].close();
                }
            }
        }, maxQueued);
        link.setHandler(handler);
        build(ordb, link, circuit, cancelled, chosen, alsoAvoid, 1);
        return link;
    }

    private void build(RelayInfo ordb, CircuitLink link, ClientCircuit[] circuit, boolean[] cancelled,
            List<?>[] chosen, Set<String> alsoAvoid, int attempt) {
        List<RelayInfo> path = proxy.paths().choosePathTo(ordb, disjoint ? inUse(alsoAvoid) : Set.of());
        if (path == null) {
            link.circuitClosed();
            return;
        }
        chosen[0] = path;
        livePaths.add(path);
        Node node = proxy.node();
        node.links().connect(path.get(0), new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                if (cancelled[0]) {
                    return;
                }
                ClientCircuit c = new ClientCircuit(channel, node.circuits(), proxy.scheduler(), node.entropy(),
                        proxy.primitives(), path, proxy.options().circuit, new ClientCircuit.Listener() {
                            @Override
                            public void built(ClientCircuit cc) {
                                link.windowOpened();
                            }

                            @Override
                            public void closed(ClientCircuit cc, String reason) {
                                forget(path);
                                if (!cc.wasBuilt() && !cancelled[0] && attempt < BUILD_ATTEMPTS) {
                                    int k = cc.hopCount();
                                    if (k >= 1 && k < path.size() - 1 && PathSelector.isPeer(path.get(k))) {
                                        proxy.paths().markUnreachable(path.get(k));
                                    } else if (k == path.size() - 1 && k >= 1 && PathSelector.isPeer(path.get(k - 1))) {
                                        // A page could not reach the ORDB itself: its bridge will.
                                        proxy.paths().markReachedViaBridge(path.get(k));
                                    }
                                    build(ordb, link, circuit, cancelled, chosen, alsoAvoid, attempt + 1);
                                    return;
                                }
                                link.circuitClosed();
                            }
                        });
                c.setExtension(new ClientCircuit.Extension() {
                    @Override
                    public boolean handles(int command) {
                        return command >= OrdbMessage.DB_QUERY && command <= OrdbMessage.DB_END;
                    }

                    @Override
                    public void onCell(int streamId, int command, byte[] data) {
                        link.onCell(streamId, command, data);
                    }

                    @Override
                    public void windowOpened() {
                        link.windowOpened();
                    }
                });
                circuit[0] = c;
                circuits.add(c);
                c.start();
            }

            @Override
            public void failed(String reason) {
                proxy.paths().markUnreachable(path.get(0));
                forget(path);
                link.circuitClosed();
            }
        });
    }

    /** A Download's circuits: to the first of {@code ordbs} (in order) whose name is not avoided. */
    public OrdbLink.Connector connector(List<RelayInfo> ordbs) {
        List<RelayInfo> list = new ArrayList<>(ordbs);
        Set<String> fingerprints = new java.util.HashSet<>();
        for (RelayInfo r : list) {
            fingerprints.add(r.identity().fingerprint());
        }
        return (Set<String> avoid, OrdbLink.Handler handler) -> {
            for (RelayInfo r : list) {
                if (!avoid.contains(r.nickname())) {
                    return open(r, handler, fingerprints);
                }
            }
            return null;
        };
    }

    private void forget(List<?> path) {
        livePaths.removeIf(p -> p == path);
    }

    /** Fingerprints of the relays on our open circuits, and {@code more}. */
    private Set<String> inUse(Set<String> more) {
        Set<String> out = new java.util.HashSet<>(more);
        for (List<RelayInfo> p : livePaths) {
            for (RelayInfo r : p) {
                out.add(r.identity().fingerprint());
            }
        }
        return out;
    }

    /**
     * An ORDB's finder: for a hash_name it knows no source of, asks {@code lookup} and opens a circuit of its
     * own to the node found, attached as an ORDB peer and added as the source; nothing found ends the waiting
     * queries UNAVAILABLE. {@link CircuitFinder#bind} it to the server it was given to.
     */
    public CircuitFinder finder(Lookup lookup) {
        return new CircuitFinder(lookup);
    }

    /** See {@link #finder}. */
    public final class CircuitFinder implements OrdbServer.Finder {
        private final Lookup lookup;
        private OrdbServer server;

        CircuitFinder(Lookup lookup) {
            this.lookup = lookup;
        }

        public void bind(OrdbServer s) {
            this.server = s;
        }

        @Override
        public void find(HashName h) {
            lookup.find(h, found -> {
                if (found.isEmpty()) {
                    proxy.scheduler().execute(() -> server.notFound(h));
                    return;
                }
                // Two sources when there are: queries rotate over them, so one that vanishes is not the end.
                for (int i = 0; i < found.size() && i < MAX_FOUND; i++) {
                    CircuitLink link = open(found.get(i), null);
                    link.setHandler(server.attach(link, true));
                    server.addSource(h, link);
                }
            });
        }
    }
}
