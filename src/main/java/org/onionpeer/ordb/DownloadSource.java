package org.onionpeer.ordb;

/** One circuit's account, kept after it is gone (the report). */
public final class DownloadSource {
    public final String name;
    public long bytes;
    public long chunks;
    public long requests;
    /** Bytes per millisecond (= kB/s), measured per request. */
    public double rate;
    /** "active", "finished", or "dropped: why", "banned: why". */
    public String fate = "active";

    DownloadSource(String name) {
        this.name = name;
    }

    public boolean banned() {
        return fate.startsWith("banned");
    }
}
