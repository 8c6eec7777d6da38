package org.onionpeer.cell;

/** Reasons in DESTROY and RELAY_TRUNCATED (tor-spec §5.4). Unknown values are legal and kept as numbers. */
public final class DestroyReason {
    public static final int NONE = 0;
    public static final int PROTOCOL = 1;
    public static final int INTERNAL = 2;
    public static final int REQUESTED = 3;
    public static final int HIBERNATING = 4;
    public static final int RESOURCELIMIT = 5;
    public static final int CONNECTFAILED = 6;
    public static final int OR_IDENTITY = 7;
    public static final int CHANNEL_CLOSED = 8;
    public static final int FINISHED = 9;
    public static final int TIMEOUT = 10;
    public static final int DESTROYED = 11;
    public static final int NOSUCHSERVICE = 12;

    private static final String[] NAMES = {"NONE", "PROTOCOL", "INTERNAL", "REQUESTED", "HIBERNATING",
        "RESOURCELIMIT", "CONNECTFAILED", "OR_IDENTITY", "CHANNEL_CLOSED", "FINISHED", "TIMEOUT", "DESTROYED",
        "NOSUCHSERVICE"};

    private DestroyReason() {
    }

    public static String name(int reason) {
        return reason >= 0 && reason < NAMES.length ? NAMES[reason] : "UNKNOWN(" + reason + ")";
    }
}
