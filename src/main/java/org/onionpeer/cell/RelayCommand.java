package org.onionpeer.cell;

/**
 * Relay command numbers and names (tor-spec §6.1; XOFF/XON from prop324, numbered as tor's or.h: XOFF 43, XON 44;
 * CONFLUX_* from prop329 §2.1 and §3, or.h 19..22).
 */
public final class RelayCommand {
    public static final int BEGIN = 1;
    public static final int DATA = 2;
    public static final int END = 3;
    public static final int CONNECTED = 4;
    public static final int SENDME = 5;
    public static final int EXTEND = 6;
    public static final int EXTENDED = 7;
    public static final int TRUNCATE = 8;
    public static final int TRUNCATED = 9;
    public static final int DROP = 10;
    public static final int RESOLVE = 11;
    public static final int RESOLVED = 12;
    public static final int BEGIN_DIR = 13;
    public static final int EXTEND2 = 14;
    public static final int EXTENDED2 = 15;
    public static final int CONFLUX_LINK = 19;
    public static final int CONFLUX_LINKED = 20;
    public static final int CONFLUX_LINKED_ACK = 21;
    public static final int CONFLUX_SWITCH = 22;
    public static final int XOFF = 43;
    public static final int XON = 44;

    private static final String[] NAMES = {null, "BEGIN", "DATA", "END", "CONNECTED", "SENDME", "EXTEND", "EXTENDED",
        "TRUNCATE", "TRUNCATED", "DROP", "RESOLVE", "RESOLVED", "BEGIN_DIR", "EXTEND2", "EXTENDED2", null, null, null, "CONFLUX_LINK", "CONFLUX_LINKED",
        "CONFLUX_LINKED_ACK", "CONFLUX_SWITCH"};

    private RelayCommand() {
    }

    public static String name(int command) {
        if (command >= 1 && command < NAMES.length && NAMES[command] != null) {
            return NAMES[command];
        }
        if (command == XON) {
            return "XON";
        }
        if (command == XOFF) {
            return "XOFF";
        }
        return "UNKNOWN(" + command + ")";
    }
}
