package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.dir.Protover;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.exit.ExitPolicy;

/**
 * Turns a verified consensus and server descriptors into the onion proxy's {@link RelayInfo}s: the consensus
 * says which relays exist and which descriptor (by digest) is current; the descriptor supplies the keys.
 */
public final class TorDirectory {
    public static final String FLAG_RUNNING = "Running";
    public static final String FLAG_VALID = "Valid";
    public static final String FLAG_BAD_EXIT = "BadExit";

    /** The descriptor's "proto" line; a relay whose line does not parse is used as if it listed nothing. */
    private static Protover protocols(ServerDescriptor d) {
        try {
            return Protover.parse(d.protocols());
        } catch (ProtocolException e) {
            return Protover.none();
        }
    }

    private TorDirectory() {
    }

    /**
     * The usable relays: routers flagged Running and Valid whose consensus descriptor digest names one of
     * {@code descriptors} with the same RSA identity that also verifies at {@code nowSeconds}. Routers without
     * such a descriptor are skipped. The consensus must already be verified by the caller. Address and
     * ORPort come from the consensus (what the authorities vouched for). Exit is kept only when the
     * consensus says Exit, not BadExit, and the descriptor's policy accepts something over IPv4 (test
     * networks vote Exit for every relay, "reject *:*" ones included).
     */
    public static List<RelayInfo> relays(Consensus consensus, List<ServerDescriptor> descriptors, long nowSeconds) {
        Map<String, ServerDescriptor> byDigest = new HashMap<>();
        for (ServerDescriptor d : descriptors) {
            byDigest.put(Bytes.hex(d.digest()), d);
        }
        List<RelayInfo> out = new ArrayList<>();
        for (Consensus.Router r : consensus.routers()) {
            if (!r.hasFlag(FLAG_RUNNING) || !r.hasFlag(FLAG_VALID) || r.descriptorDigest() == null) {
                continue;
            }
            ServerDescriptor d = byDigest.get(Bytes.hex(r.descriptorDigest()));
            if (d == null || !Bytes.constantTimeEquals(d.rsaIdentity(), r.rsaIdentity())) {
                continue;
            }
            try {
                d.verify(nowSeconds);
            } catch (ProtocolException e) {
                continue;
            }
            String policyText = join(d.exitPolicy());
            boolean canExit;
            try {
                ExitPolicy.parse(policyText);
                canExit = acceptsSomething(d.exitPolicy());
            } catch (ProtocolException e) {
                policyText = "reject *:*"; // a policy we cannot read: use the relay, never as an exit
                canExit = false;
            }
            Set<String> flags = new LinkedHashSet<>(r.flags());
            if (!canExit || r.hasFlag(FLAG_BAD_EXIT)) {
                flags.remove(RelayInfo.FLAG_EXIT);
            }
            List<String> addresses = new ArrayList<>();
            addresses.add("tls://" + r.address() + ":" + r.orPort());
            try {
                out.add(new RelayInfo(r.nickname(), new RelayIdentity(r.rsaIdentity(), d.ed25519Identity()),
                        d.ntorOnionKey(), addresses, flags, policyText, protocols(d)));
            } catch (ProtocolException e) {
                continue;
            }
        }
        return out;
    }

    /**
     * tor's policy_is_reject_star for IPv4 (policies.c): scanning in order, an accept rule that can match
     * an IPv4 address means the relay exits somewhere; a reject of every IPv4 address and port means it does
     * not. Partial rejects before an accept are not weighed (neither does tor).
     */
    static boolean acceptsSomething(List<String> rules) {
        for (String rule : rules) {
            int sp = rule.indexOf(' ');
            String kind = rule.substring(0, sp);
            String spec = rule.substring(sp + 1);
            int colon = spec.lastIndexOf(':');
            String addr = colon < 0 ? spec : spec.substring(0, colon);
            String ports = colon < 0 ? "*" : spec.substring(colon + 1);
            boolean v6Only = addr.startsWith("[") || addr.equals("*6");
            if (kind.equals("accept")) {
                if (!v6Only) {
                    return true;
                }
            } else if (kind.equals("reject")) {
                boolean allAddrs = addr.equals("*") || addr.equals("*4") || addr.equals("0.0.0.0/0");
                boolean allPorts = ports.equals("*") || ports.equals("1-65535");
                if (allAddrs && allPorts) {
                    return false;
                }
            }
        }
        return false; // nothing matched: tor's implicit policy end rejects
    }

    private static String join(List<String> rules) {
        StringBuilder sb = new StringBuilder();
        for (String r : rules) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            sb.append(r);
        }
        return sb.toString();
    }

    /**
     * Descriptor digests (upper-case hex) the consensus names that {@code have} lacks, for
     * {@code GET /tor/server/d/D1+D2+...}. Only Running, Valid routers are asked for.
     */
    public static List<String> missingDescriptors(Consensus consensus, Collection<ServerDescriptor> have) {
        Set<String> got = new java.util.HashSet<>();
        for (ServerDescriptor d : have) {
            got.add(Text.asciiUpper(Bytes.hex(d.digest())));
        }
        List<String> out = new ArrayList<>();
        for (Consensus.Router r : consensus.routers()) {
            if (r.descriptorDigest() == null || !r.hasFlag(FLAG_RUNNING) || !r.hasFlag(FLAG_VALID)) {
                continue;
            }
            String h = Text.asciiUpper(Bytes.hex(r.descriptorDigest()));
            if (!got.contains(h)) {
                out.add(h);
            }
        }
        return out;
    }
}
