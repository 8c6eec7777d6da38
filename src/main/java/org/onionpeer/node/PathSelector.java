package org.onionpeer.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.LinkTarget;

/**
 * The onion proxy's path choices (tor's path-spec §2, simplified): {@code pathLength} distinct relays, the
 * last an Exit whose policy may take the stream, the first allowed by {@link OnionProxy.Options#firstHopFilter}
 * and not marked unreachable (Guard-flagged relays preferred when there are any); with peers preferred, all
 * hops but the exit from {@link OnionProxy.Options#peerHops}.
 */
final class PathSelector {
    private final OnionProxy proxy;
    private final OnionProxy.Options options;
    /** First hops whose link failed, by fingerprint, until when they are left out. */
    private final Map<String, Long> unreachableUntil = new HashMap<>();

    PathSelector(OnionProxy proxy) {
        this.proxy = proxy;
        this.options = proxy.options();
    }

    /** A first hop we could not link to, or a peer we could not extend to: left alone for a while. */
    /** Peers only their bridge reaches (see {@link #markReachedViaBridge}), until when. */
    private final Map<String, Long> bridgeOnlyUntil = new HashMap<>();

    void markUnreachable(RelayInfo first) {
        unreachableUntil.put(first.identity().fingerprint(), proxy.scheduler().nowMillis() + options.unreachableMillis);
    }

    void clearUnreachable() {
        unreachableUntil.clear();
    }

    /** Whether a relay is a peer reached over WebRTC (not a relay of the directory): its first address says. */
    static boolean isPeer(RelayInfo r) {
        List<LinkTarget> t = r.targets();
        return !t.isEmpty() && t.get(0).kind() == LinkTarget.WEBRTC;
    }

    static boolean hasPeerHop(List<RelayInfo> path) {
        for (RelayInfo r : path) {
            if (isPeer(r)) {
                return true;
            }
        }
        return false;
    }

    /** Whether the exit of {@code path} may take {@code host:port}. */
    static boolean exitMayAllow(List<RelayInfo> path, String host, int port) {
        return path.get(path.size() - 1).exitMayAllow(host, port);
    }

    boolean hasExits() {
        for (RelayInfo e : proxy.directory().relays()) {
            if (e.hasFlag(RelayInfo.FLAG_EXIT)) {
                return true;
            }
        }
        return false;
    }

    boolean anyExitMayAllow(String host, int port) {
        for (RelayInfo e : proxy.directory().relays()) {
            if (e.hasFlag(RelayInfo.FLAG_EXIT) && e.exitMayAllow(host, port)) {
                return true;
            }
        }
        return false;
    }

    /** All but the exit from peers, when peers are preferred and enough are known; else null. */
    private List<RelayInfo> peerPath(String host, int port) {
        if (!proxy.prefersPeers() || options.peerHops == null || options.pathLength < 3) {
            return null;
        }
        List<RelayInfo> exits = new ArrayList<>();
        for (RelayInfo r : proxy.directory().relays()) {
            boolean fits = host == null ? r.exitAllowsAnything() : r.exitMayAllow(host, port);
            if (r.hasFlag(RelayInfo.FLAG_EXIT) && fits) {
                exits.add(r);
            }
        }
        if (exits.isEmpty()) {
            return null;
        }
        RelayInfo exit = exits.get(randomBelow(exits.size()));
        Set<String> exclude = new HashSet<>();
        exclude.add(exit.identity().fingerprint());
        // The first hop is a long-lived peer or, failing one, a relay we may take as first hop (a page: its
        // bridge); the middle hops are peers; the exit is a JVM relay.
        RelayInfo first = peerPathFirstHop(exclude);
        if (first == null) {
            return null;
        }
        exclude.add(first.identity().fingerprint());
        List<RelayInfo> middles = options.peerHops.peers(options.pathLength - 2, exclude);
        if (middles == null || middles.size() < options.pathLength - 2) {
            return null;
        }
        List<RelayInfo> path = new ArrayList<>();
        path.add(first);
        path.addAll(middles);
        path.add(exit);
        return path;
    }

    /**
     * pathLength distinct relays: last an Exit whose policy may allow {@code host:port} (or anything at all
     * when host is null), first allowed and reachable; null when impossible.
     */
    List<RelayInfo> choosePath(String host, int port) {
        List<RelayInfo> viaPeers = peerPath(host, port);
        if (viaPeers != null) {
            return viaPeers;
        }
        List<RelayInfo> all = proxy.directory().relays();
        int len = options.pathLength;
        List<RelayInfo> exits = new ArrayList<>();
        for (RelayInfo r : all) {
            boolean fits = host == null ? r.exitAllowsAnything() : r.exitMayAllow(host, port);
            if (r.hasFlag(RelayInfo.FLAG_EXIT) && fits && (len > 1 || firstHopOk(r))) {
                exits.add(r);
            }
        }
        for (int attempt = 0; attempt < 8 && !exits.isEmpty(); attempt++) {
            RelayInfo exit = exits.get(randomBelow(exits.size()));
            if (len == 1) {
                return Collections.singletonList(exit);
            }
            Set<String> used = new HashSet<>();
            used.add(exit.identity().fingerprint());
            List<RelayInfo> firsts = new ArrayList<>();
            List<RelayInfo> guards = new ArrayList<>();
            for (RelayInfo r : all) {
                if (!used.contains(r.identity().fingerprint()) && firstHopOk(r)) {
                    firsts.add(r);
                    if (r.hasFlag(RelayInfo.FLAG_GUARD)) {
                        guards.add(r);
                    }
                }
            }
            List<RelayInfo> pool = guards.isEmpty() ? firsts : guards;
            if (pool.isEmpty()) {
                exits.remove(exit);
                continue;
            }
            RelayInfo first = pool.get(randomBelow(pool.size()));
            used.add(first.identity().fingerprint());
            List<RelayInfo> middles = new ArrayList<>();
            for (RelayInfo r : all) {
                if (!used.contains(r.identity().fingerprint())) {
                    middles.add(r);
                }
            }
            if (middles.size() < len - 2) {
                exits.remove(exit);
                continue;
            }
            List<RelayInfo> path = new ArrayList<>();
            path.add(first);
            for (int i = 0; i < len - 2; i++) {
                RelayInfo m = middles.remove(randomBelow(middles.size()));
                // Two entries may still share an identity when the directory lists a relay twice.
                if (!used.add(m.identity().fingerprint())) {
                    i--;
                    if (middles.size() < len - 2 - i - 1) {
                        return null;
                    }
                    continue;
                }
                path.add(m);
            }
            path.add(exit);
            return path;
        }
        return null;
    }

    /**
     * A path of {@code pathLength} distinct relays ending at {@code last} (an ORDB: no exit needed), the first
     * allowed and reachable (Guard-flagged preferred), the middles any other relays; null when impossible.
     * The last hop then never sees our address, and the first never learns the last.
     */
    List<RelayInfo> choosePathTo(RelayInfo last) {
        return choosePathTo(last, Collections.emptySet());
    }

    /**
     * The same, with no relay whose fingerprint is in {@code avoid} as first hop or middle where another will
     * do: each position falls back to any relay when avoiding leaves none (e.g. the only allowed first hop).
     * Paths to pages are chosen as they always are ({@link #choosePathToPeer}), nothing avoided.
     */
    List<RelayInfo> choosePathTo(RelayInfo last, Set<String> avoid) {
        int len = options.pathLength;
        if (isPeer(last) && options.peerHops != null && len > 1) {
            return choosePathToPeer(last);
        }
        if (len == 1) {
            return firstHopOk(last) ? Collections.singletonList(last) : null;
        }
        String lastId = last.identity().fingerprint();
        List<RelayInfo> pool = firstHops(lastId, avoid);
        if (pool.isEmpty() && !avoid.isEmpty()) {
            pool = firstHops(lastId, Collections.emptySet());
        }
        if (pool.isEmpty()) {
            return null;
        }
        RelayInfo first = pool.get(randomBelow(pool.size()));
        Set<String> used = new HashSet<>();
        used.add(lastId);
        used.add(first.identity().fingerprint());
        List<RelayInfo> path = new ArrayList<>();
        path.add(first);
        List<RelayInfo> middles = new ArrayList<>();
        for (RelayInfo r : proxy.directory().relays()) {
            if (!used.contains(r.identity().fingerprint()) && !avoid.contains(r.identity().fingerprint())) {
                middles.add(r);
            }
        }
        if (middles.size() < len - 2) {
            middles.clear();
            for (RelayInfo r : proxy.directory().relays()) {
                if (!used.contains(r.identity().fingerprint())) {
                    middles.add(r);
                }
            }
        }
        while (path.size() < len - 1) {
            if (middles.isEmpty()) {
                return null;
            }
            RelayInfo m = middles.remove(randomBelow(middles.size()));
            if (used.add(m.identity().fingerprint())) {
                path.add(m);
            }
        }
        path.add(last);
        return path;
    }

    /** Allowed, reachable first hops other than the last hop and {@code avoid}, Guard-flagged ones if any. */
    private List<RelayInfo> firstHops(String lastId, Set<String> avoid) {
        List<RelayInfo> firsts = new ArrayList<>();
        List<RelayInfo> guards = new ArrayList<>();
        for (RelayInfo r : proxy.directory().relays()) {
            String id = r.identity().fingerprint();
            if (!id.equals(lastId) && !avoid.contains(id) && firstHopOk(r)) {
                firsts.add(r);
                if (r.hasFlag(RelayInfo.FLAG_GUARD)) {
                    guards.add(r);
                }
            }
        }
        return guards.isEmpty() ? firsts : guards;
    }

    /**
     * A path to a page (an ORDB that is a peer): only its bridge and other pages can reach a page, so the
     * hops before it are a long-known peer or the bridge first, then peers. With fewer peers than middle
     * hops (a network of two or three pages) the path is shorter and its first hop, the bridge, extends to
     * the page over the page's own link: the page still sees only the bridge, which already is the first hop
     * of every page (documented in ordb-protocol.md, "Circuits to pages").
     */
    private List<RelayInfo> choosePathToPeer(RelayInfo last) {
        Set<String> exclude = new HashSet<>();
        exclude.add(last.identity().fingerprint());
        RelayInfo first = peerPathFirstHop(exclude);
        if (first == null) {
            return null;
        }
        exclude.add(first.identity().fingerprint());
        List<RelayInfo> path = new ArrayList<>();
        path.add(first);
        Long viaBridge = bridgeOnlyUntil.get(last.identity().fingerprint());
        if (viaBridge != null && viaBridge > proxy.scheduler().nowMillis()) {
            // Pages could not reach it over WebRTC (a JVM node, a strict NAT): its bridge extends to it.
            RelayInfo bridge = bridgeRelay();
            if (bridge != null && !bridge.identity().fingerprint().equals(first.identity().fingerprint())) {
                path.add(bridge);
            }
            path.add(last);
            return path.size() >= 2 && path.get(path.size() - 2).hasFlag(RelayInfo.FLAG_BRIDGE) ? path : null;
        }
        List<RelayInfo> middles = options.peerHops.peers(options.pathLength - 2, exclude);
        if (middles != null) {
            path.addAll(middles);
        }
        path.add(last);
        return path;
    }

    /**
     * {@code peer} could not be reached from a page (its WebRTC failed): for a while, paths to it end with
     * the bridge, which reaches it over its registered link.
     */
    void markReachedViaBridge(RelayInfo peer) {
        bridgeOnlyUntil.put(peer.identity().fingerprint(), proxy.scheduler().nowMillis() + options.unreachableMillis);
    }

    private RelayInfo bridgeRelay() {
        for (RelayInfo r : proxy.directory().relays()) {
            if (r.hasFlag(RelayInfo.FLAG_BRIDGE)) {
                return r;
            }
        }
        return null;
    }

    /**
     * The first hop of a path through peers: a long-known peer, else a relay we may take as first hop (a
     * page: its bridge); none in {@code exclude}, to which the relays marked unreachable are added. Null if
     * there is none.
     */
    private RelayInfo peerPathFirstHop(Set<String> exclude) {
        for (Map.Entry<String, Long> e : unreachableUntil.entrySet()) {
            if (e.getValue() > proxy.scheduler().nowMillis()) {
                exclude.add(e.getKey());
            }
        }
        RelayInfo first = options.peerHops.firstHop(exclude);
        if (first == null) {
            List<RelayInfo> firsts = new ArrayList<>();
            for (RelayInfo r : proxy.directory().relays()) {
                if (firstHopOk(r) && !exclude.contains(r.identity().fingerprint())) {
                    firsts.add(r);
                }
            }
            first = firsts.isEmpty() ? null : firsts.get(randomBelow(firsts.size()));
        }
        return first;
    }

    private boolean firstHopOk(RelayInfo r) {
        Long until = unreachableUntil.get(r.identity().fingerprint());
        if (until != null && until > proxy.scheduler().nowMillis()) {
            return false;
        }
        return options.firstHopFilter == null || options.firstHopFilter.allows(r);
    }

    /** Uniform in [0, n) from the node's entropy (rejection sampling: no modulo bias). */
    private int randomBelow(int n) {
        byte[] b = new byte[4];
        long range = 1L << 31;
        long limit = range - range % n;
        while (true) {
            proxy.node().entropy().nextBytes(b);
            long v = (((b[0] & 0x7fL) << 24) | ((b[1] & 0xffL) << 16) | ((b[2] & 0xffL) << 8) | (b[3] & 0xffL));
            if (v < limit) {
                return (int) (v % n);
            }
        }
    }
}
