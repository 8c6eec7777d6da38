package org.onionpeer.circuit;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.cell.Cell;
import org.onionpeer.link.Channel;

/**
 * Which circuit a cell belongs to: (link, CircID) -> endpoint. A relay circuit appears twice (once per
 * side); an onion proxy's circuit once. When a link closes, every circuit on it hears about it once.
 */
public final class CircuitMap {
    /** One side of a circuit on one link. */
    public interface Endpoint {
        void onCell(Channel channel, Cell cell);

        void onChannelClosed(Channel channel);
    }

    private final Map<Channel, Map<Long, Endpoint>> map = new HashMap<>();

    public void put(Channel ch, long circId, Endpoint e) {
        map.computeIfAbsent(ch, k -> new HashMap<>()).put(circId, e);
    }

    public Endpoint get(Channel ch, long circId) {
        Map<Long, Endpoint> m = map.get(ch);
        return m == null ? null : m.get(circId);
    }

    public void remove(Channel ch, long circId) {
        Map<Long, Endpoint> m = map.get(ch);
        if (m != null) {
            m.remove(circId);
            if (m.isEmpty()) {
                map.remove(ch);
            }
        }
        ch.releaseCircId(circId);
    }

    public int size() {
        int n = 0;
        for (Map<Long, Endpoint> m : map.values()) {
            n += m.size();
        }
        return n;
    }

    /** Tells every circuit on {@code ch} that it closed, and forgets them. */
    public void channelClosed(Channel ch) {
        Map<Long, Endpoint> m = map.remove(ch);
        if (m == null) {
            return;
        }
        List<Endpoint> eps = new ArrayList<>(m.values());
        for (Endpoint e : eps) {
            e.onChannelClosed(ch);
        }
    }
}
