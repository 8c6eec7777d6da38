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
 * with congestion control to an exit that lists Conflux=1, more legs are built to the same exit, as many as the
 * consensus's cfx_num_legs_set asks in all (2 by default; {@link OnionProxy.Options#confluxLegs}), each through
 * other first hops and middles where the directory has them (prop329 §2.2), and they are linked. Until the set is
 * linked the first circuit (the primary) takes no streams; the other legs never do.
 *
 * <p>Recovery: legs that cannot be built are left out; when none could, nothing was sent about a set and the
 * primary serves as a plain circuit. When linking fails (no LINKED in time, a bad answer) all legs are closed, as
 * prop329 §2.1 requires, and the pool builds again; after {@link #MAX_LINK_FAILURES} such failures in a row this
 * proxy stops asking for sets and says so in a build-failure event. A leg closing later closes its set (the set
 * sees it, {@link ConfluxSet#legClosed}).
 */
public final class ConfluxLegs implements OnionProxy.Conflux {
    /** For {@link OnionProxy.Options#conflux}. */
    public static final OnionProxy.ConfluxFactory FACTORY = ConfluxLegs::new;

    /** Consecutive link failures after which conflux is left off for this proxy. */
    static final int MAX_LINK_FAILURES = 3;
    /** The longest wait for the exit's LINKED on every leg. */
    static final long LINK_TIMEOUT_MILLIS = 10_000;
    /** Paths drawn for a leg when none avoids the legs so far entirely. */
    static final int PATH_DRAWS = 6;

    private final OnionProxy proxy;
    /** Primary circuit -> its set, once its other legs are built and LINKs went out. */
    private final Map<ClientCircuit, ConfluxSet> sets = new HashMap<>();
    /** Primaries waiting for their other legs or for LINKED: no streams yet. */
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
     * A pool circuit was built: starts its other legs when a set is wanted; true when {@code primary} now waits
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
        List<List<RelayInfo>> chosen = new ArrayList<>();
        chosen.add(path);
        Set<String> avoid = new HashSet<>();
        for (int leg = 1; leg < legs; leg++) {
            List<RelayInfo> last = chosen.get(chosen.size() - 1);
            for (int i = 0; i < last.size() - 1; i++) {
                avoid.add(last.get(i).identity().fingerprint());
            }
            // Where the directory is too small for that, PathSelector falls back to any relay; of a few draws keep
            // the one sharing least with the legs so far, a shared relay in the same position (the same queue and
            // the same link onward) counting most.
            List<RelayInfo> next = null;
            int best = Integer.MAX_VALUE;
            for (int draw = 0; draw < PATH_DRAWS && best > 0; draw++) {
                List<RelayInfo> p = proxy.paths().choosePathTo(exit, avoid);
                if (p == null) {
                    continue;
                }
                int overlap = 0;
                for (List<RelayInfo> c : chosen) {
                    overlap += overlap(c, p);
                }
                if (overlap < best) {
                    best = overlap;
                    next = p;
                }
            }
            if (next == null) {
                break;
            }
            chosen.add(next);
        }
        if (chosen.size() < 2) {
            return false;
        }
        Pending pending = new Pending(primary, chosen.size() - 1);
        holding.add(primary);
        for (List<RelayInfo> legPath : chosen.subList(1, chosen.size())) {
            proxy.node().links().connect(legPath.get(0), new LinkManager.ConnectCallback() {
                @Override
                public void connected(Channel channel) {
                    buildLeg(pending, channel, legPath);
                }

                @Override
                public void failed(String reason) {
                    pending.resolved(null);
                }
            });
        }
        return true;
    }

    /**
     * The legs of one set being built besides its primary: once each is built or has failed, the ones built are
     * linked with the primary; with none, the primary serves as a plain circuit (no LINK went out).
     */
    private final class Pending {
        final ClientCircuit primary;
        final List<ClientCircuit> built = new ArrayList<>();
        int outstanding;

        Pending(ClientCircuit primary, int legs) {
            this.primary = primary;
            this.outstanding = legs;
        }

        /** One leg's outcome: the built circuit, or null when it failed. */
        void resolved(ClientCircuit leg) {
            if (leg != null) {
                built.add(leg);
            }
            if (--outstanding > 0) {
                return;
            }
            if (built.isEmpty() || !primary.isOpen() || proxy.isStopped()) {
                for (ClientCircuit c : built) {
                    c.close();
                }
                servePlain(primary);
                return;
            }
            List<ClientCircuit> legs = new ArrayList<>();
            legs.add(primary);
            legs.addAll(built);
            link(primary, legs);
        }

        /** A leg that was built closed before the set was linked: it leaves the set to be. */
        void lost(ClientCircuit leg) {
            built.remove(leg);
        }
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

    private void buildLeg(Pending pending, Channel channel, List<RelayInfo> path) {
        ClientCircuit primary = pending.primary;
        if (!primary.isOpen() || proxy.isStopped()) {
            pending.resolved(null);
            return;
        }
        Node node = proxy.node();
        boolean[] resolved = new boolean[1];
        ClientCircuit leg = new ClientCircuit(channel, node.circuits(), proxy.scheduler(), node.entropy(),
                proxy.primitives(), path, proxy.options().circuit, new ClientCircuit.Listener() {
                    @Override
                    public void built(ClientCircuit c) {
                        resolved[0] = true;
                        if (!c.usesCongestionControl()) {
                            c.close();
                            pending.resolved(null);
                            return;
                        }
                        pending.resolved(c);
                    }

                    @Override
                    public void closed(ClientCircuit c, String reason) {
                        if (!resolved[0]) {
                            resolved[0] = true;
                            pending.resolved(null); // never built: no LINK went out on it
                        } else if (!sets.containsKey(primary)) {
                            pending.lost(c); // built, its set not linked yet
                        } // else the set saw it and closed the other legs too
                    }
                });
        leg.start();
    }

    private void link(ClientCircuit primary, List<ClientCircuit> legs) {
        ConfluxSet.Limits limits = new ConfluxSet.Limits();
        // prop329 §2.1: no longer than the stream timeout, C tor uses its (adaptive, usually seconds) build
        // timeout. Ours is a fixed 60 s bound on a whole build; a LINKED is one round trip, so 10 s at most, so
        // that an exit that never links costs a waiting stream 30 s (3 sets) rather than minutes.
        limits.timeoutMillis = Math.min(proxy.options().circuit.buildTimeoutMillis, LINK_TIMEOUT_MILLIS);
        ConfluxSet set = new ConfluxSet(legs, proxy.scheduler(), proxy.node().entropy(), limits,
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

    /** The pool saw {@code primary} close (its set, if any, has closed the other legs already). */
    @Override
    public void primaryClosed(ClientCircuit primary) {
        holding.remove(primary);
        sets.remove(primary);
    }
}
