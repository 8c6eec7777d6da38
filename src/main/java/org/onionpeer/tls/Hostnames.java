package org.onionpeer.tls;

import java.util.List;

/**
 * Server identity checks (RFC 6125 as the CA/Browser Forum baseline applies it): names come from
 * subjectAltName only, never the subject CN; a DNS name matches case-insensitively, with at most one
 * wildcard which must be the whole left-most label and stands for exactly one label; an IP literal matches
 * only an iPAddress entry, byte for byte. Names are compared in their ASCII (A-label) form.
 */
public final class Hostnames {
    private Hostnames() {
    }

    /** True if {@code host} (a DNS name or an IPv4/IPv6 literal) is one of the certificate's names. */
    public static boolean matches(Certificate cert, String host) {
        byte[] ip = parseIp(host);
        if (ip != null) {
            for (byte[] a : cert.ipAddresses()) {
                if (java.util.Arrays.equals(a, ip)) {
                    return true;
                }
            }
            return false;
        }
        String h = lower(host);
        if (h.endsWith(".")) {
            h = h.substring(0, h.length() - 1);
        }
        List<String> names = cert.dnsNames();
        for (String n : names) {
            if (matchesName(n, h)) {
                return true;
            }
        }
        return false;
    }

    static boolean matchesName(String pattern, String host) {
        if (pattern.endsWith(".")) {
            pattern = pattern.substring(0, pattern.length() - 1);
        }
        if (pattern.isEmpty() || host.isEmpty()) {
            return false;
        }
        if (!pattern.startsWith("*.")) {
            return pattern.indexOf('*') < 0 && pattern.equals(host);
        }
        String suffix = pattern.substring(1); // ".example.com"
        // The wildcard must be alone in its label, the only one, and above at least two labels.
        if (suffix.indexOf('*') >= 0 || suffix.indexOf('.', 1) < 0) {
            return false;
        }
        if (!host.endsWith(suffix)) {
            return false;
        }
        String label = host.substring(0, host.length() - suffix.length());
        return !label.isEmpty() && label.indexOf('.') < 0;
    }

    static String lower(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            sb.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return sb.toString();
    }

    /** The 4 or 16 bytes of an IPv4 dotted quad or an IPv6 literal (brackets allowed), or null. */
    public static byte[] parseIp(String host) {
        String h = host;
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.indexOf(':') >= 0 ? parseIpv6(h) : parseIpv4(h);
    }

    private static byte[] parseIpv4(String h) {
        byte[] out = new byte[4];
        int part = 0;
        int val = -1;
        for (int i = 0; i <= h.length(); i++) {
            char c = i < h.length() ? h.charAt(i) : '.';
            if (c == '.') {
                if (val < 0 || part > 3) {
                    return null;
                }
                out[part++] = (byte) val;
                val = -1;
            } else if (c >= '0' && c <= '9') {
                val = val < 0 ? c - '0' : val * 10 + (c - '0');
                if (val > 255) {
                    return null;
                }
            } else {
                return null;
            }
        }
        return part == 4 ? out : null;
    }

    private static byte[] parseIpv6(String h) {
        int gap = h.indexOf("::");
        if (gap >= 0 && h.indexOf("::", gap + 1) >= 0) {
            return null;
        }
        int[] head = groups(gap >= 0 ? h.substring(0, gap) : h);
        int[] tail = gap >= 0 ? groups(h.substring(gap + 2)) : new int[0];
        if (head == null || tail == null || head.length + tail.length > (gap >= 0 ? 7 : 8)
                || (gap < 0 && head.length != 8)) {
            return null;
        }
        byte[] out = new byte[16];
        for (int i = 0; i < head.length; i++) {
            out[2 * i] = (byte) (head[i] >> 8);
            out[2 * i + 1] = (byte) head[i];
        }
        for (int i = 0; i < tail.length; i++) {
            int at = 8 - tail.length + i;
            out[2 * at] = (byte) (tail[i] >> 8);
            out[2 * at + 1] = (byte) tail[i];
        }
        return out;
    }

    private static int[] groups(String s) {
        if (s.isEmpty()) {
            return new int[0];
        }
        String[] parts = org.onionpeer.bytes.Text.split(s, ":");
        int[] out = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            String p = parts[i];
            if (p.isEmpty() || p.length() > 4) {
                return null;
            }
            int v = 0;
            for (int j = 0; j < p.length(); j++) {
                int d = Character.digit(p.charAt(j), 16);
                if (d < 0) {
                    return null;
                }
                v = v * 16 + d;
            }
            out[i] = v;
        }
        return out;
    }

    /** Text of a 4- or 16-byte address (IPv6 uncompressed, lower-case hex). */
    public static String ipString(byte[] ip) {
        StringBuilder sb = new StringBuilder();
        if (ip.length == 4) {
            for (int i = 0; i < 4; i++) {
                sb.append(i > 0 ? "." : "").append(ip[i] & 0xff);
            }
        } else {
            for (int i = 0; i < 16; i += 2) {
                sb.append(i > 0 ? ":" : "").append(Integer.toHexString(((ip[i] & 0xff) << 8) | (ip[i + 1] & 0xff)));
            }
        }
        return sb.toString();
    }
}
