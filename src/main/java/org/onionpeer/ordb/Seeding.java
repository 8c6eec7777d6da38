package org.onionpeer.ordb;

import java.util.function.Consumer;

/**
 * Makes a downloader a source (the seed: "A advertises the ORDBs when they have 25%, 50%, 75% and 100%"):
 * wraps a Download's listener, keeps each verified chunk in a {@link Content} (handed to {@code keep} with
 * the manifest, so the node's {@link OrdbServer} serves from it), and each time the held share reaches the
 * next DB_INFO level sends DB_INFO through the server to the ORDBs it is linked to and tells {@code
 * announcer} (the DHT record), if any.
 */
public final class Seeding implements DownloadListener {
    private final DownloadListener inner;
    private final Consumer<Content> keep;
    private final OrdbServer server;
    private final OrdbServer.Listener announcer;
    private final boolean facilitator;
    private Content content;
    private int level = -1;

    /** {@code announcer} may be null. */
    public Seeding(DownloadListener inner, Consumer<Content> keep, OrdbServer server, OrdbServer.Listener announcer,
            boolean facilitator) {
        this.inner = inner;
        this.keep = keep;
        this.server = server;
        this.announcer = announcer;
        this.facilitator = facilitator;
    }

    /** The level advertised so far (0..3 for 25..100 %), -1 before 25 %. */
    public int level() {
        return level;
    }

    @Override
    public void onManifest(Manifest m) {
        if (content == null && !m.isLive()) {
            content = Content.empty(m);
            keep.accept(content);
        }
        inner.onManifest(m);
    }

    @Override
    public void onData(long index, byte[] data, byte[][] proof) {
        if (content != null) {
            content.put(index, data, proof); // verified again: what we serve must be what the root commits to
            int l = content.level();
            if (l > level) {
                level = l;
                server.advertise(content.hashName(), l, facilitator);
                if (announcer != null) {
                    announcer.learned(content.hashName(), l, facilitator);
                }
            }
        }
        inner.onData(index, data, proof);
    }

    @Override
    public void onDone(String error) {
        inner.onDone(error);
    }

    @Override
    public void onProgress(long bytes, long total) {
        inner.onProgress(bytes, total);
    }

    @Override
    public void onSource(DownloadSource source, String event) {
        inner.onSource(source, event);
    }
}
