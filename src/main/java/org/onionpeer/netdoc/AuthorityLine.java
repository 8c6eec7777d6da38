package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;

/**
 * A torrc {@code DirAuthority} line, the one thing a client must be given to bootstrap from a Tor network:
 * {@code [DirAuthority] [nickname] [flags] address:dirport fingerprint}, where the fingerprint is 40 hex
 * digits that may be split into groups by spaces and flags include {@code orport=N}, {@code v3ident=HEX},
 * {@code ipv6=[addr]:port}, {@code no-v2}, {@code hs}, {@code weight=N} (tor's config.c
 * parse_dir_authority_line). As in tor, the nickname is the first token when it is a legal nickname, flags
 * run until a token that starts with a digit, and unknown flags are ignored. An authority without
 * {@code v3ident} cannot sign consensuses, so it is rejected here: a client has nothing to check against.
 */
public final class AuthorityLine {
    public static final int MAX_LINE = 1024;

    private final String nickname;
    private final String address;
    private final int orPort;
    private final int dirPort;
    private final byte[] v3Identity;
    private final byte[] rsaFingerprint;
    private final String ipv6;

    private AuthorityLine(String nickname, String address, int orPort, int dirPort, byte[] v3Identity,
            byte[] rsaFingerprint, String ipv6) {
        this.nickname = nickname;
        this.address = address;
        this.orPort = orPort;
        this.dirPort = dirPort;
        this.v3Identity = v3Identity;
        this.rsaFingerprint = rsaFingerprint;
        this.ipv6 = ipv6;
    }

    public static AuthorityLine parse(String line) {
        if (line == null) {
            throw new ProtocolException("DirAuthority: no line");
        }
        if (line.length() > MAX_LINE) {
            throw new ProtocolException("DirAuthority: longer than " + MAX_LINE + " characters");
        }
        List<String> tokens = new ArrayList<>();
        int i = 0;
        int n = line.length();
        while (i < n) {
            char c = line.charAt(i);
            if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
                i++;
                continue;
            }
            int s = i;
            while (i < n && " \t\r\n".indexOf(line.charAt(i)) < 0) {
                i++;
            }
            tokens.add(line.substring(s, i));
        }
        int k = 0;
        if (k < tokens.size() && Text.equalsIgnoreAsciiCase(tokens.get(k), "DirAuthority")) {
            k++;
        }
        String nickname = null;
        if (k < tokens.size() && isNickname(tokens.get(k))) {
            nickname = tokens.get(k++);
        }
        int orPort = 0;
        byte[] v3 = null;
        String ipv6 = null;
        while (k < tokens.size() && !(tokens.get(k).charAt(0) >= '0' && tokens.get(k).charAt(0) <= '9')) {
            String f = tokens.get(k++);
            if (f.startsWith("orport=")) {
                orPort = (int) NetDoc.number(f.substring(7), 1, 65535, "DirAuthority orport");
            } else if (f.startsWith("v3ident=")) {
                v3 = NetDoc.hex20(f.substring(8), "DirAuthority v3ident");
            } else if (f.startsWith("ipv6=")) {
                ipv6 = f.substring(5);
            }
            // no-v2, hs, no-hs, v1, bridge, weight=, upload=, download=, vote=: nothing a client checks.
        }
        if (k >= tokens.size()) {
            throw new ProtocolException("DirAuthority: missing address:dirport");
        }
        String hostPort = tokens.get(k++);
        int colon = hostPort.indexOf(':');
        if (colon < 0) {
            throw new ProtocolException("DirAuthority: address without :dirport");
        }
        String address = NetDoc.ipv4(hostPort.substring(0, colon), "DirAuthority address");
        int dirPort = (int) NetDoc.number(hostPort.substring(colon + 1), 1, 65535, "DirAuthority dirport");
        StringBuilder fp = new StringBuilder();
        while (k < tokens.size()) {
            fp.append(tokens.get(k++));
            if (fp.length() > 40) {
                break;
            }
        }
        if (k < tokens.size() || fp.length() != 40) {
            throw new ProtocolException("DirAuthority: fingerprint is not 40 hex digits");
        }
        byte[] fingerprint = NetDoc.hex20(fp.toString(), "DirAuthority fingerprint");
        if (v3 == null) {
            throw new ProtocolException("DirAuthority: no v3ident (not a v3 directory authority)");
        }
        if (orPort == 0) {
            throw new ProtocolException("DirAuthority: no orport");
        }
        return new AuthorityLine(nickname, address, orPort, dirPort, v3, fingerprint, ipv6);
    }

    private static boolean isNickname(String s) {
        if (s.isEmpty() || s.length() > 19) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    /** The nickname, or null when the line has none. */
    public String nickname() {
        return nickname;
    }

    /** The IPv4 address, dotted quad. */
    public String address() {
        return address;
    }

    public int orPort() {
        return orPort;
    }

    public int dirPort() {
        return dirPort;
    }

    /** The v3 identity (SHA-1 of the authority identity key): what consensus signatures are checked against. */
    public byte[] v3Identity() {
        return v3Identity.clone();
    }

    /** The relay RSA identity fingerprint of the authority's ORPort. */
    public byte[] rsaFingerprint() {
        return rsaFingerprint.clone();
    }

    /** The ipv6= flag's value as written ("[addr]:port"), or null. */
    public String ipv6() {
        return ipv6;
    }

    /** Where to fetch directory documents: "http://address:dirport". */
    public String dirUrl() {
        return "http://" + address + ":" + dirPort;
    }
}
