package org.onionpeer.cell;

/**
 * Channel cell command numbers and names (tor-spec §3). A cell is variable-length when its command is
 * VERSIONS (7) or >= 128 (link protocol 3 and later, tor-spec §3).
 */
public final class CellCommand {
    public static final int PADDING = 0;
    public static final int CREATE = 1;
    public static final int CREATED = 2;
    public static final int RELAY = 3;
    public static final int DESTROY = 4;
    public static final int CREATE_FAST = 5;
    public static final int CREATED_FAST = 6;
    public static final int VERSIONS = 7;
    public static final int NETINFO = 8;
    public static final int RELAY_EARLY = 9;
    public static final int CREATE2 = 10;
    public static final int CREATED2 = 11;
    public static final int PADDING_NEGOTIATE = 12;
    public static final int VPADDING = 128;
    public static final int CERTS = 129;
    public static final int AUTH_CHALLENGE = 130;
    public static final int AUTHENTICATE = 131;
    public static final int AUTHORIZE = 132;

    private static final String[] FIXED_NAMES = {"PADDING", "CREATE", "CREATED", "RELAY", "DESTROY", "CREATE_FAST",
        "CREATED_FAST", "VERSIONS", "NETINFO", "RELAY_EARLY", "CREATE2", "CREATED2", "PADDING_NEGOTIATE"};
    private static final String[] VAR_NAMES = {"VPADDING", "CERTS", "AUTH_CHALLENGE", "AUTHENTICATE", "AUTHORIZE"};

    private CellCommand() {
    }

    /** tor-spec §3: VERSIONS and every command >= 128 use the variable-length cell format. */
    public static boolean isVariable(int command) {
        return command == VERSIONS || command >= 128;
    }

    /** Whether the command is one tor-spec defines; others must be dropped, not treated as errors (§3). */
    public static boolean isKnown(int command) {
        return (command >= 0 && command < FIXED_NAMES.length) || (command >= VPADDING && command <= AUTHORIZE);
    }

    /** The spec name, or "UNKNOWN(n)". */
    public static String name(int command) {
        if (command >= 0 && command < FIXED_NAMES.length) {
            return FIXED_NAMES[command];
        }
        if (command >= VPADDING && command <= AUTHORIZE) {
            return VAR_NAMES[command - VPADDING];
        }
        return "UNKNOWN(" + command + ")";
    }
}
