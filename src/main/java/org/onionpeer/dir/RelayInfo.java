package org.onionpeer.dir;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.link.LinkTarget;

/**
 * What an onion proxy must know of a relay to use it: its identities (RSA fingerprint and Ed25519), its
 * ntor onion key (the one thing that makes a hop authenticated over a transport that cannot bind CERTS),
 * where to reach it, and its flags. Addresses are URIs: {@code tls://host:port} (Tor's ORPort),
 * {@code ws://host:port/path} (a bridge's WebSocket endpoint), {@code inproc:name} (the embedded network),
 * {@code webrtc:ID} (a peer); documents carry them as strings, kept as given ({@link #addresses}), and
 * {@link #targets} holds those this version can read, parsed once.
 */
public final class RelayInfo {
    public static final String FLAG_EXIT = "Exit";
    public static final String FLAG_GUARD = "Guard";
    public static final String FLAG_BRIDGE = "Bridge";
    public static final int MAX_NICKNAME = 19;

    private final String nickname;
    private final RelayIdentity identity;
    private final byte[] ntorKey;
    private final List<String> addresses;
    private final List<LinkTarget> targets;
    private final Set<String> flags;
    private final String exitPolicy;
    private final Protover protocols;
    /** Parsed on first use (the onion proxy's choices), then kept: RelayInfo is otherwise immutable. */
    private ExitPolicy parsedPolicy;

    /** {@code ntorKey} may be null (unknown); {@code identity} may be {@link RelayIdentity#rsaOnly}. */
    public RelayInfo(String nickname, RelayIdentity identity, byte[] ntorKey, List<String> addresses,
            Set<String> flags, String exitPolicy) {
        this(nickname, identity, ntorKey, addresses, flags, exitPolicy, Protover.none());
    }

    /** As above, with the relay's subprotocol versions (its descriptor's "proto" line). */
    public RelayInfo(String nickname, RelayIdentity identity, byte[] ntorKey, List<String> addresses,
            Set<String> flags, String exitPolicy, Protover protocols) {
        if (nickname == null || nickname.isEmpty() || nickname.length() > MAX_NICKNAME || !isAlnum(nickname)) {
            throw new ProtocolException("bad nickname");
        }
        if (identity == null || (ntorKey != null && ntorKey.length != 32)) {
            throw new ProtocolException("relay needs an identity and a 32-byte ntor key");
        }
        if (addresses.isEmpty()) {
            throw new ProtocolException("relay " + nickname + " has no address");
        }
        this.nickname = nickname;
        this.identity = identity;
        this.ntorKey = ntorKey == null ? null : ntorKey.clone();
        this.addresses = Collections.unmodifiableList(new ArrayList<>(addresses));
        // Addresses of kinds we cannot read (a newer bridge's) are skipped, as dialers always skipped them.
        List<LinkTarget> t = new ArrayList<>();
        for (String a : this.addresses) {
            LinkTarget parsed = LinkTarget.parseOrNull(a);
            if (parsed != null) {
                t.add(parsed);
            }
        }
        this.targets = Collections.unmodifiableList(t);
        this.flags = Collections.unmodifiableSet(new LinkedHashSet<>(flags));
        this.exitPolicy = exitPolicy == null ? "" : exitPolicy;
        this.protocols = protocols == null ? Protover.none() : protocols;
    }

    private static boolean isAlnum(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
    }

    public String nickname() {
        return nickname;
    }

    public RelayIdentity identity() {
        return identity;
    }

    /**
     * The ntor onion key, or null when not known yet (a directory authority known only from its DirAuthority
     * line: such a relay can be the single hop of a CREATE_FAST circuit on an authenticated link, nothing else).
     */
    public byte[] ntorKey() {
        return ntorKey == null ? null : ntorKey.clone();
    }

    public List<String> addresses() {
        return addresses;
    }

    /** The addresses this version can read, parsed, in the document's order. */
    public List<LinkTarget> targets() {
        return targets;
    }

    /** Whether one of the relay's addresses is of this kind. */
    public boolean hasTarget(int kind) {
        for (LinkTarget t : targets) {
            if (t.kind() == kind) {
                return true;
            }
        }
        return false;
    }

    public Set<String> flags() {
        return flags;
    }

    public boolean hasFlag(String f) {
        return flags.contains(f);
    }

    public String exitPolicy() {
        return exitPolicy;
    }

    /** What the relay says it speaks; {@link Protover#none} when its directory did not say. */
    public Protover protocols() {
        return protocols;
    }

    /**
     * Whether this relay, as an exit, may allow {@code host:port} by its policy ({@link ExitPolicy#mayAllow}).
     * A relay whose document gives no policy is taken to allow anything its Exit flag promises; a policy that
     * does not parse allows nothing.
     */
    public boolean exitMayAllow(String host, int port) {
        ExitPolicy p = policy();
        return p == null ? hasFlag(FLAG_EXIT) : p.mayAllow(host, port);
    }

    /** Whether this relay's exit policy allows any connection at all (see {@link #exitMayAllow}). */
    public boolean exitAllowsAnything() {
        ExitPolicy p = policy();
        return p == null ? hasFlag(FLAG_EXIT) : p.allowsAnything();
    }

    private ExitPolicy policy() {
        if (exitPolicy.isEmpty()) {
            return null;
        }
        if (parsedPolicy == null) {
            try {
                parsedPolicy = ExitPolicy.parse(exitPolicy);
            } catch (ProtocolException e) {
                parsedPolicy = ExitPolicy.rejectAll();
            }
        }
        return parsedPolicy;
    }

    @Override
    public String toString() {
        return nickname + "~" + identity.fingerprint().substring(0, 8);
    }
}
