package org.onionpeer.cell;

/** RELAY_END reasons (tor-spec §6.3). Unknown values MUST be accepted, so they stay plain numbers. */
public final class EndReason {
    public static final int MISC = 1;
    public static final int RESOLVEFAILED = 2;
    public static final int CONNECTREFUSED = 3;
    public static final int EXITPOLICY = 4;
    public static final int DESTROY = 5;
    public static final int DONE = 6;
    public static final int TIMEOUT = 7;
    public static final int NOROUTE = 8;
    public static final int HIBERNATING = 9;
    public static final int INTERNAL = 10;
    public static final int RESOURCELIMIT = 11;
    public static final int CONNRESET = 12;
    public static final int TORPROTOCOL = 13;
    public static final int NOTDIRECTORY = 14;

    private static final String[] NAMES = {null, "MISC", "RESOLVEFAILED", "CONNECTREFUSED", "EXITPOLICY", "DESTROY",
        "DONE", "TIMEOUT", "NOROUTE", "HIBERNATING", "INTERNAL", "RESOURCELIMIT", "CONNRESET", "TORPROTOCOL",
        "NOTDIRECTORY"};

    private EndReason() {
    }

    public static String name(int reason) {
        return reason >= 1 && reason < NAMES.length ? NAMES[reason] : "UNKNOWN(" + reason + ")";
    }
}
