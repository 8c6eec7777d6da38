package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.node.OrdbCircuits;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.DbInfo;
import org.onionpeer.ordb.HashName;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbServer;
import org.onionpeer.platform.Scheduler;

/**
 * "A share from the page" to a facilitator (issue 11): a publisher that wants a file kept alive after its
 * tab closes keeps one circuit to a facilitator (found under {@link Facilitators#KEY}) besides its page
 * ORDBs, attached to its own server as an ORDB peer, and sends on it {@link DbInfo#keep} for each such file.
 * The facilitator fetches the file down that circuit (checked chunk by chunk as any download), holds it
 * within its memory budget and announces itself as a source in the DHT, so the link keeps working without
 * the publisher. The facilitator learns the content, never who shares it (it sees a circuit). A circuit that
 * closes is reopened to a facilitator, another first, with backoff (2 s doubling to 60 s) while none is found.
 */
final class Keeping {
    private static final long RETRY_MILLIS = 2_000;
    private static final long MAX_RETRY_MILLIS = 60_000;

    private final OrdbDiscovery discovery;
    private final OrdbCircuits circuits;
    private final OrdbServer server;
    private final Scheduler scheduler;
    private final Set<HashName> kept = new LinkedHashSet<>();
    private final Map<String, Long> avoidUntil = new HashMap<>();
    private CircuitLink link;
    private String facilitator;
    private boolean finding;
    private long retry = RETRY_MILLIS;
    private Scheduler.Cancellable retryTimer;
    private String state = "nothing to keep";

    Keeping(OrdbDiscovery discovery, OrdbCircuits circuits, OrdbServer server, Scheduler scheduler) {
        this.discovery = discovery;
        this.circuits = circuits;
        this.server = server;
        this.scheduler = scheduler;
    }

    String state() {
        return state;
    }

    boolean isKept(HashName h) {
        return kept.contains(h);
    }

    void keep(HashName h) {
        if (!kept.add(h)) {
            return;
        }
        if (link != null) {
            link.send(0, DbInfo.keep(h));
        } else {
            connect();
        }
    }

    void unkeep(HashName h) {
        kept.remove(h);
        if (kept.isEmpty()) {
            close();
        }
    }

    private void connect() {
        if (finding || link != null || kept.isEmpty() || retryTimer != null) {
            return;
        }
        finding = true;
        state = "looking for a facilitator to keep it";
        discovery.findAll(Facilitators.KEY, found -> {
            finding = false;
            if (kept.isEmpty() || link != null) {
                return;
            }
            RelayInfo pick = null;
            long now = scheduler.nowMillis();
            for (RelayInfo r : found) {
                Long until = avoidUntil.get(r.nickname());
                if (until == null || until <= now) {
                    pick = r;
                    break;
                }
            }
            if (pick == null && !found.isEmpty()) {
                pick = found.get(0); // all tried lately: the first again
            }
            if (pick == null) {
                state = "no facilitator found to keep it; trying again in " + retry / 1000 + " s";
                long d = retry;
                retry = Math.min(retry * 2, MAX_RETRY_MILLIS);
                retryTimer = scheduler.schedule(d, () -> {
                    retryTimer = null;
                    connect();
                });
                return;
            }
            open(pick);
        });
    }

    private void open(RelayInfo f) {
        String name = f.nickname();
        CircuitLink l = circuits.open(f, null);
        OrdbLink.Handler served = server.attach(l, true);
        link = l;
        facilitator = name;
        l.setHandler(new OrdbLink.Handler() {
            @Override
            public void onMessage(int stream, int command, byte[] body) {
                served.onMessage(stream, command, body);
            }

            @Override
            public void onClosed() {
                served.onClosed();
                if (link == l) {
                    link = null;
                    avoidUntil.put(name, scheduler.nowMillis() + MAX_RETRY_MILLIS);
                    state = "the facilitator's circuit closed; looking for another";
                    connect();
                }
            }
        });
        for (HashName h : kept) {
            l.send(0, DbInfo.keep(h));
        }
        retry = RETRY_MILLIS;
        state = "asked facilitator " + name + " to keep " + kept.size() + " file" + (kept.size() == 1 ? "" : "s");
    }

    /** The facilitator this node asked, or null. */
    String facilitator() {
        return link == null ? null : facilitator;
    }

    void close() {
        kept.clear();
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        if (link != null) {
            CircuitLink l = link;
            link = null;
            l.close();
        }
        state = "nothing to keep";
    }

    List<HashName> kept() {
        return new ArrayList<>(kept);
    }
}
