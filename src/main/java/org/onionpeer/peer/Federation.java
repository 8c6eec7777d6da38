package org.onionpeer.peer;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.onionpeer.dht.NodeId;
import org.onionpeer.link.Channel;

/**
 * Bridges joined together ({@code --join}): the links between them and which bridge each remote page is
 * registered with, so that a bridge can pass a DHT message or an introduction for a page of another bridge
 * straight to that bridge (one RELAY, never forwarded again, so no loops).
 *
 * <p>Each bridge tells the bridges it is federated with which pages register with it and leave (PRESENT /
 * ABSENT), all at once when the federation link opens. What a bridge says about its pages is taken on its
 * word, as a page takes its own bridge's word on whom a message is from: a lying bridge can only misroute,
 * since every WebRTC link still proves both identities with certificates only their keys can sign.
 * Bounded: {@link #MAX_BRIDGES} federated bridges, {@link #MAX_REMOTE} remote pages.
 */
final class Federation {
    static final int MAX_BRIDGES = 16;
    static final int MAX_REMOTE = 200_000;

    private final Map<NodeId, Channel> bridges = new HashMap<>();
    private final Map<Channel, NodeId> bridgeOf = new HashMap<>();
    /** A remote page's ID -> the federated bridge it is registered with. */
    private final Map<NodeId, NodeId> where = new HashMap<>();

    boolean isBridgeLink(Channel ch) {
        return bridgeOf.containsKey(ch);
    }

    int size() {
        return bridges.size();
    }

    int remotePages() {
        return where.size();
    }

    /** Federates with {@code bridge} over {@code ch}; tells it our pages. False when full. */
    boolean add(Channel ch, NodeId bridge, Iterable<NodeId> ourPages) {
        if (!bridges.containsKey(bridge) && bridges.size() >= MAX_BRIDGES) {
            return false;
        }
        Channel old = bridges.put(bridge, ch);
        if (old != null && old != ch) {
            bridgeOf.remove(old);
        }
        bridgeOf.put(ch, bridge);
        List<NodeId> batch = new ArrayList<>();
        for (NodeId p : ourPages) {
            batch.add(p);
            if (batch.size() == PeerMessage.MAX_IDS) {
                ch.sendLinkMessage(PeerMessage.present(batch).encode());
                batch.clear();
            }
        }
        if (!batch.isEmpty()) {
            ch.sendLinkMessage(PeerMessage.present(batch).encode());
        }
        return true;
    }

    /** The link to a federated bridge, or null. */
    Channel bridge(NodeId id) {
        Channel c = bridges.get(id);
        return c != null && c.isOpen() ? c : null;
    }

    /** The link over which {@code to} is reached: it is a federated bridge or one of their pages. */
    Channel routeTo(NodeId to) {
        Channel c = bridge(to);
        if (c != null) {
            return c;
        }
        NodeId b = where.get(to);
        return b == null ? null : bridge(b);
    }

    /** One of our pages registered (or left): every federated bridge hears of it. */
    void announce(NodeId page, boolean present) {
        List<NodeId> one = List.of(page);
        for (Channel c : bridges.values()) {
            if (c.isOpen()) {
                c.sendLinkMessage((present ? PeerMessage.present(one) : PeerMessage.absent(one)).encode());
            }
        }
    }

    /** PRESENT / ABSENT from a federated bridge; false if {@code ch} is not one. */
    boolean onList(Channel ch, PeerMessage m) {
        NodeId b = bridgeOf.get(ch);
        if (b == null) {
            return false;
        }
        for (NodeId p : m.ids()) {
            if (m.type() == PeerMessage.ABSENT) {
                where.remove(p, b);
            } else if (where.size() < MAX_REMOTE || where.containsKey(p)) {
                where.put(p, b); // the newest registration wins: a page that moved is where it went
            }
        }
        return true;
    }

    /** A link closed: if it was a federated bridge's, forget it and its pages; returns that bridge or null. */
    NodeId closed(Channel ch) {
        NodeId b = bridgeOf.remove(ch);
        if (b == null) {
            return null;
        }
        bridges.remove(b, ch);
        for (Iterator<NodeId> it = where.values().iterator(); it.hasNext();) {
            if (it.next().equals(b)) {
                it.remove();
            }
        }
        return b;
    }
}
