package org.onionpeer.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ConfluxSet;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;

/**
 * The onion proxy's conflux sets (proposal 329), as C tor's client makes them: when a pool circuit is built
 * with congestion control to an exit that lists Conflux=1, a second leg is built to the same exit through
 * another first hop and middle where the directory has them (prop329 §2.2), and the two are linked. Until the
 * set is linked the first circuit (the primary) takes no streams; the second never does.
 *
 * <p>Recovery: when the second leg cannot be built, nothing was sent about a set and the primary serves as a
 * plain circuit. When linking fails (no LINKED in time, a bad answer) both legs are closed, as prop329 §2.1
 * requires, and the pool builds again; after {@link #MAX_LINK_FAILURES} such failures in a row this proxy stops
 * asking for sets and says so in a build-failure event. A leg closing later closes its set (the set sees it,
 * {@link ConfluxSet#legClosed}).
 */
public final class ConfluxLegs implements OnionProxy.Conflux {
    /** For {@link OnionProxy.Options#conflux}. */
    public static final OnionProxy.ConfluxFactory FACTORY = ConfluxLegs::new;

    /** Consecutive link failures after which conflux is left off for this proxy. */
    static final int MAX_LINK_FAILURES = 3;
    /** The longest wait for the exit's LINKED on every leg. */
    static final long LINK_TIMEOUT_MILLIS = 10_000;
    /** Paths drawn for a second leg when none avoids the first entirely. */
    static final int PATH_DRAWS = 6;

    private final OnionProxy proxy;
    /** Primary circuit -> its set, once the second leg is built and LINKs went out. */
    private final Map<ClientCircuit, ConfluxSet> sets = new HashMap<>();
    /** Primaries waiting for their second leg or for LINKED: no streams yet. */
    private final Set<ClientCircuit> holding = new HashSet<>();
    private int linkFailures;
    private boolean givenUp;

    ConfluxLegs(OnionProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public List<ConfluxSet> linkedSets() {
        List<ConfluxSet> out = new ArrayList<>();
        for (ConfluxSet s : sets.values()) {
            if (s.isLinked()) {
                out.add(s);
            }
        }
        return out;
    }

    /** Whether {@code c} may carry streams now (not a primary waiting for its set). */
    @Override
    public boolean acceptsStreams(ClientCircuit c) {
        return !holding.contains(c);
    }

    /**
     * A pool circuit was built: starts its second leg when a set is wanted; true when {@code primary} now waits
     * for its set (the caller then does not offer it to streams).
     */
    @Override
    public boolean built(ClientCircuit primary) {
        int legs = proxy.options().confluxLegs();
        List<RelayInfo> path = primary.path();
        RelayInfo exit = path.get(path.size() - 1);
        if (legs < 2 || givenUp || path.size() < 2 || !primary.usesCongestionControl()
                || !exit.protocols().supports("Conflux", 1) || PathSelector.hasPeerHop(path)) {
            return false;
        }
        // prop329 §2.2: the legs share no first hop and no middle (by identity), where the directory allows.
        Set<String> avoid = new HashSet<>();
        for (int i = 0; i < path.size() - 1; i++) {
            avoid.add(path.get(i).identity().fingerprint());
        }
        // Where the directory is too small for that, PathSelector falls back to any relay; of a few draws keep the
        // one sharing least with the first leg, a shared relay in the same position (the same queue and the same
        // link onward) counting most.
        List<RelayInfo> second = null;
        int best = Integer.MAX_VALUE;
        for (int draw = 0; draw < PATH_DRAWS && best > 0; draw++) {
            List<RelayInfo> p = proxy.paths().choosePathTo(exit, avoid);
            int overlap = p == null ? Integer.MAX_VALUE : overlap(path, p);
            if (overlap < best) {
                best = overlap;
                second = p;
            }
        }
        if (second == null) {
            return false;
        }
        List<RelayInfo> chosen = second;
        holding.add(primary);
        proxy.node().links().connect(chosen.get(0), new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                buildSecond(primary, channel, chosen);
            }

            @Override
            public void failed(String reason) {
                servePlain(primary);
            }
        });
        return true;
    }

    /** 2 per relay of {@code b} in the same position of {@code a}, 1 per relay of {@code b} elsewhere in it. */
    static int overlap(List<RelayInfo> a, List<RelayInfo> b) {
        int n = 0;
        for (int i = 0; i < b.size() - 1; i++) {
            String id = b.get(i).identity().fingerprint();
            for (int j = 0; j < a.size() - 1; j++) {
                if (a.get(j).identity().fingerprint().equals(id)) {
                    n += i == j ? 2 : 1;
                }
            }
        }
        return n;
    }

    private void buildSecond(ClientCircuit primary, Channel channel, List<RelayInfo> path) {
        if (!primary.isOpen() || proxy.isStopped()) {
            holding.remove(primary);
            return;
        }
        Node node = proxy.node();
        ClientCircuit leg = new ClientCircuit(channel, node.circuits(), proxy.scheduler(), node.entropy(),
                proxy.primitives(), path, proxy.options().circuit, new ClientCircuit.Listener() {
                    @Override
                    public void built(ClientCircuit c) {
                        if (!primary.isOpen() || !c.usesCongestionControl()) {
                            c.close();
                            servePlain(primary);
                            return;
                        }
                        link(primary, c);
                    }

                    @Override
                    public void closed(ClientCircuit c, String reason) {
                        if (!sets.containsKey(primary)) {
                            servePlain(primary); // no LINK went out: the primary is a plain circuit
                        } // else the set saw it and closed the primary too
                    }
                });
        leg.start();
    }

    private void link(ClientCircuit primary, ClientCircuit second) {
        ConfluxSet.Limits limits = new ConfluxSet.Limits();
        // prop329 §2.1: no longer than the stream timeout, C tor uses its (adaptive, usually seconds) build
        // timeout. Ours is a fixed 60 s bound on a whole build; a LINKED is one round trip, so 10 s at most, so
        // that an exit that never links costs a waiting stream 30 s (3 sets) rather than minutes.
        limits.timeoutMillis = Math.min(proxy.options().circuit.buildTimeoutMillis, LINK_TIMEOUT_MILLIS);
        ConfluxSet set = new ConfluxSet(List.of(primary, second), proxy.scheduler(), proxy.node().entropy(), limits,
                new ConfluxSet.Listener() {
                    @Override
                    public void linked(ConfluxSet s) {
                        linkFailures = 0;
                        holding.remove(primary);
                        proxy.streams().serveWaiting();
                    }

                    @Override
                    public void failed(ConfluxSet s, String reason) {
                        holding.remove(primary);
                        if (++linkFailures >= MAX_LINK_FAILURES && !givenUp) {
                            givenUp = true;
                            proxy.listener().buildFailed("conflux left off after " + linkFailures
                                    + " sets failed to link, the last: " + reason);
                        }
                    }
                });
        sets.put(primary, set);
        set.start();
    }

    private void servePlain(ClientCircuit primary) {
        if (holding.remove(primary) && primary.isOpen()) {
            proxy.streams().serveWaiting();
        }
    }

    /** The pool saw {@code primary} close (its set, if any, has closed the second leg already). */
    @Override
    public void primaryClosed(ClientCircuit primary) {
        holding.remove(primary);
        sets.remove(primary);
    }
}
