package org.onionpeer.ordb;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.ProtocolException;

/**
 * A {@link LiveDownload}'s windows: which to ask, what came (verified), what is played. Holds window 0 until
 * the init segment is handed on, then at most the windows from the next one to play to the ones asked
 * ahead; keeps the live edge (the newest signed window seen) and skips to it when the next window to play
 * is {@link LivePublisher#KEEP} or more windows behind it (those are gone at the publisher too).
 */
final class LiveBuffer {
    static final class Win {
        final long number;
        final long first;
        LiveWindow signed;
        final List<byte[]> chunks = new ArrayList<>();
        boolean asked;
        boolean skipped;

        Win(long number, long first) {
            this.number = number;
            this.first = first;
        }

        boolean complete() {
            return signed != null && chunks.size() == signed.count();
        }
    }

    private final Manifest manifest;
    private final LiveListener listener;
    private final long maxAgeSeconds;
    private final TreeMap<Long, Win> wins = new TreeMap<>();
    private boolean initDone;
    private long next = -1;
    private long edge = -1;
    private long edgeTimestamp;
    private long skippedChunks;

    LiveBuffer(Manifest manifest, LiveListener listener, long maxAgeSeconds) {
        this.manifest = manifest;
        this.listener = listener;
        this.maxAgeSeconds = maxAgeSeconds;
    }

    long next() {
        return next;
    }

    long edge() {
        return edge;
    }

    int held() {
        return wins.size();
    }

    long skippedChunks() {
        return skippedChunks;
    }

    /** The first verified latest window (a DB_CONNECTED's) fixes where playing starts. */
    void join(LiveWindow latest) {
        if (next < 0) {
            next = Math.max(1, latest.window());
        }
    }

    /**
     * Verifies a window (signature, stream, freshness: window 0 is signed once per stream, so any age) and
     * keeps the edge: window numbers and timestamps must agree in order. May skip ahead.
     */
    void check(LiveWindow w, long nowSeconds) {
        w.verify(manifest, nowSeconds, w.window() == 0 ? Long.MAX_VALUE / 2 : maxAgeSeconds);
        if (w.window() == 0) {
            return;
        }
        if (edge >= 0 && (w.window() > edge && w.timestamp() < edgeTimestamp
                || w.window() < edge && w.timestamp() > edgeTimestamp)) {
            throw new ProtocolException("live window " + w.window() + " dated out of order with window " + edge);
        }
        if (w.window() > edge) {
            edge = w.window();
            edgeTimestamp = w.timestamp();
            if (next >= 0 && next + LivePublisher.KEEP <= edge) {
                long per = manifest.windowChunks();
                listener.onSkip(next * per, edge * per, "fell behind: window " + next + " is older than the "
                        + LivePublisher.KEEP + " kept, live edge at window " + edge);
                skippedChunks += (edge - next) * per;
                wins.headMap(edge).entrySet().removeIf(e -> e.getKey() != 0);
                next = edge;
            }
        }
    }

    /** Checks chunk {@code d} (the next one of window {@code w}) and the window it carries; keeps it. */
    void accept(Win w, DbData d, long nowSeconds) {
        if (d.window() != null) {
            LiveWindow lw = d.window();
            if (lw.window() != w.number) {
                throw new ProtocolException("chunk " + d.chunk() + " comes with live window " + lw.window());
            }
            try {
                check(lw, nowSeconds);
            } catch (ProtocolException e) {
                throw new ProtocolException("window " + lw.window() + ": " + e.getMessage());
            }
            if (w.signed == null) {
                w.signed = lw;
            } else if (!java.util.Arrays.equals(w.signed.encode(), lw.encode())) {
                throw new ProtocolException("live window " + w.number + " differs from the one verified");
            }
        }
        if (w.signed == null) {
            throw new ProtocolException("chunk " + d.chunk() + " without its live window");
        }
        try {
            w.signed.verifyChunk(manifest, d.chunk(), d.data(), d.proof());
        } catch (ProtocolException e) {
            throw new ProtocolException("chunk " + d.chunk() + ": " + e.getMessage());
        }
        if (d.chunk() == w.first + w.chunks.size()) {
            w.chunks.add(d.data());
        }
    }

    /** True if window {@code w} is no longer wanted (played past, or skipped over). */
    boolean stale(Win w) {
        return w.number != 0 && w.number < next;
    }

    /** The windows to fetch: the init until it is played, and {@code ahead} from the next one to play. */
    List<Win> wanted(int ahead) {
        if (next < 0) {
            return List.of();
        }
        if (!initDone) {
            wins.computeIfAbsent(0L, k -> new Win(0, 0));
        }
        for (long w = next; w < next + ahead; w++) {
            wins.computeIfAbsent(w, k -> new Win(k, k * manifest.windowChunks()));
        }
        List<Win> out = new ArrayList<>();
        for (Win w : wins.values()) {
            if (!w.asked && !w.skipped && !w.complete()) {
                out.add(w);
            }
        }
        return out;
    }

    /** Hands on the init segment, then complete windows in order (a skipped one is reported). */
    void deliver() {
        if (!initDone) {
            Win w0 = wins.get(0L);
            if (w0 == null || !w0.complete()) {
                return;
            }
            int len = 0;
            for (byte[] c : w0.chunks) {
                len += c.length;
            }
            ByteWriter b = new ByteWriter(len);
            for (byte[] c : w0.chunks) {
                b.bytes(c);
            }
            wins.remove(0L);
            initDone = true;
            listener.onInit(b.toByteArray());
        }
        Win w;
        while ((w = wins.get(next)) != null && (w.complete() || w.skipped)) {
            wins.remove(next);
            if (w.skipped) {
                skippedChunks += manifest.windowChunks();
                listener.onSkip(w.first, w.first + manifest.windowChunks(), "window " + w.number + " is unavailable");
            } else {
                for (int i = 0; i < w.chunks.size(); i++) {
                    listener.onData(w.first + i, w.chunks.get(i));
                }
            }
            next++;
        }
    }
}
