package org.onionpeer.jvm.torrent;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.onionpeer.exit.ExitPolicy;

/**
 * Which of a query's trackers a facilitator may contact. The trackers come from an anonymous requester's
 * query, so without a filter any page could make the facilitator send HTTP or UDP requests into its own
 * network (a request forgery, as an exit connecting to private addresses would be): as exits do
 * ({@link ExitPolicy#isInternal}), a facilitator refuses trackers at private, loopback, link-local and other
 * internal addresses, and at "localhost" names, unless told otherwise ({@code --allow-private-trackers},
 * for a swarm on one machine as the tests run). Numeric hosts must be canonical (a dotted quad, or a
 * bracketed IPv6 literal): resolvers also read "127.1", "2130706433" or "0x7f.0.0.1" as addresses, so those
 * are refused rather than parsed. What a name resolves to is not checked here (libtorrent resolves it; its
 * ssrf_mitigation, on by default, limits what a tracker request to a local address may look like).
 */
final class TrackerFilter {
    private TrackerFilter() {
    }

    /** The trackers of {@code trackers} that may be contacted. */
    static List<String> allowed(List<String> trackers, boolean allowPrivate) {
        List<String> out = new ArrayList<>();
        for (String t : trackers) {
            if (allowPrivate || mayContact(t)) {
                out.add(t);
            }
        }
        return out;
    }

    static boolean mayContact(String url) {
        int s = url.indexOf("://");
        if (s < 0) {
            return false;
        }
        String rest = url.substring(s + 3);
        int end = rest.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = rest.indexOf(c);
            if (i >= 0 && i < end) {
                end = i;
            }
        }
        String authority = rest.substring(0, end);
        if (authority.contains("@")) {
            return false; // userinfo: nothing a tracker needs, and a way to disguise the host
        }
        String host;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = authority.substring(1, close);
            return literal(host, true);
        }
        int colon = authority.lastIndexOf(':');
        host = (colon >= 0 ? authority.substring(0, colon) : authority).toLowerCase(Locale.ROOT);
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1);
        }
        if (host.isEmpty() || host.equals("localhost") || host.endsWith(".localhost") || host.endsWith(".local")
                || host.endsWith(".internal")) {
            return false;
        }
        String last = host.substring(host.lastIndexOf('.') + 1);
        if (!last.isEmpty() && (Character.isDigit(last.charAt(0)) || last.startsWith("0x"))) {
            return literal(host, false); // a numeric host: only a canonical dotted quad is read as one
        }
        return true;
    }

    private static boolean literal(String host, boolean v6) {
        if (!v6) {
            String[] parts = host.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String p : parts) {
                if (p.isEmpty() || p.length() > 3 || (p.length() > 1 && p.charAt(0) == '0')) {
                    return false;
                }
                for (char c : p.toCharArray()) {
                    if (c < '0' || c > '9') {
                        return false;
                    }
                }
                if (Integer.parseInt(p) > 255) {
                    return false;
                }
            }
        } else {
            for (char c : host.toCharArray()) {
                if (!(Character.digit(c, 16) >= 0 || c == ':' || c == '.')) {
                    return false; // no zone IDs or anything that could send the resolver elsewhere
                }
            }
        }
        try {
            // Only literals reach here (checked above), so this parses and never looks a name up.
            return !ExitPolicy.isInternal(InetAddress.getByName(host).getAddress());
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
