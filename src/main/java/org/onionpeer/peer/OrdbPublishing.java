package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.node.OrdbCircuits;
import org.onionpeer.ordb.CircuitLink;
import org.onionpeer.ordb.OrdbLink;
import org.onionpeer.ordb.OrdbServer;
import org.onionpeer.platform.Scheduler;

/**
 * A publisher's circuits to its ORDBs ({@link OrdbNode.Limits#publishOrdbs} other pages), each attached to
 * the publisher's own server as an ORDB peer: it gets the DB_INFO of all the publisher holds at once, and
 * sends queries down it. A circuit that closes is reopened to another page, the old one left alone for
 * {@link OrdbNode.Limits#maxRetryMillis}; with too few pages known it retries from {@link
 * OrdbNode.Limits#retryMillis}, doubling.
 */
final class OrdbPublishing {
    private final PeerNode peers;
    private final OrdbCircuits circuits;
    private final OrdbServer server;
    private final Scheduler scheduler;
    private final OrdbNode.Limits limits;
    private final Map<String, CircuitLink> links = new LinkedHashMap<>();
    private final Map<String, Long> avoidUntil = new HashMap<>();
    private boolean wanted;
    private long retry;
    private Scheduler.Cancellable retryTimer;
    private String state = "nothing shared";

    OrdbPublishing(PeerNode peers, OrdbCircuits circuits, OrdbServer server, Scheduler scheduler,
            OrdbNode.Limits limits) {
        this.peers = peers;
        this.circuits = circuits;
        this.server = server;
        this.scheduler = scheduler;
        this.limits = limits;
        this.retry = limits.retryMillis;
    }

    String state() {
        return state;
    }

    List<String> ordbs() {
        return new ArrayList<>(links.keySet());
    }

    /** Something is published: opens circuits until there are enough, and keeps them. */
    void keep() {
        wanted = true;
        if (retryTimer != null) {
            return; // a retry is due anyway
        }
        long now = scheduler.nowMillis();
        for (RelayInfo r : peers.knownPeers()) {
            if (links.size() >= limits.publishOrdbs) {
                break;
            }
            Long until = avoidUntil.get(r.nickname());
            if (!links.containsKey(r.nickname()) && (until == null || until <= now)) {
                open(r);
            }
        }
        state = links.isEmpty() ? "waiting for another page to publish to"
                : "published through " + links.size() + " ORDB" + (links.size() == 1 ? "" : "s");
        if (links.size() < limits.publishOrdbs) {
            long d = retry;
            retry = Math.min(retry * 2, limits.maxRetryMillis);
            retryTimer = scheduler.schedule(d, () -> {
                retryTimer = null;
                if (wanted) {
                    keep();
                }
            });
        } else {
            retry = limits.retryMillis;
        }
    }

    private void open(RelayInfo ordb) {
        String name = ordb.nickname();
        CircuitLink link = circuits.open(ordb, null);
        OrdbLink.Handler served = server.attach(link, true);
        links.put(name, link);
        link.setHandler(new OrdbLink.Handler() {
            @Override
            public void onMessage(int stream, int command, byte[] body) {
                served.onMessage(stream, command, body);
            }

            @Override
            public void onClosed() {
                served.onClosed();
                if (links.get(name) == link) {
                    links.remove(name);
                    // That page may have left: others first, and it again later.
                    avoidUntil.put(name, scheduler.nowMillis() + limits.maxRetryMillis);
                    retry = limits.retryMillis;
                    if (wanted) {
                        keep();
                    }
                }
            }
        });
    }

    /** Nothing is published any more: the circuits close. */
    void close() {
        wanted = false;
        state = "nothing shared";
        if (retryTimer != null) {
            retryTimer.cancel();
            retryTimer = null;
        }
        for (CircuitLink l : new ArrayList<>(links.values())) {
            l.close();
        }
        links.clear();
    }
}
