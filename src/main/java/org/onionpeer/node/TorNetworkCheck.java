package org.onionpeer.node;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.netdoc.AuthorityLine;
import org.onionpeer.netdoc.TorDocuments;
import org.onionpeer.platform.Scheduler;

/**
 * A page's own check of the Tor network behind its bridge (a bridge run with {@code --tor-authority}), so that
 * the relays it builds circuits through are the ones the Tor directory authorities vouched for, not whatever
 * list the bridge signed. From the bridge, over plain HTTP and as C tor serves them (dir-spec §4), it fetches:
 * {@code /tor/authorities} (the bridge's DirAuthority lines: its offer), the "ns" consensus
 * ({@code /tor/status-vote/current/consensus}), the trusted authorities' key certificates
 * ({@code /tor/keys/fp/ID+ID}) and the server descriptors the consensus names ({@code /tor/server/d/D+D}),
 * all passed through verbatim by the bridge with the authorities' and relays' own signatures. It checks them
 * with the same netdoc code the JVM's onion proxy uses ({@link TorDocuments}): each certificate against its authority identity, the
 * consensus signed by more than half of the trusted authorities and within its validity (plus tor's 24 h
 * "reasonably live"), and every descriptor received named by digest in the consensus, for the router of the
 * same identity, with valid signatures. Anything wrong refuses the whole set with a message saying what, and
 * the caller (see {@link Bootstrap}) retries later; it never falls back to the bridge's relay list.
 *
 * <p>Trust model. The authorities trusted are those {@code pinned} by the page (e.g.
 * {@code onionpeer.start(bridge, {authorities: [...]})} from a page or bookmarklet not served by the bridge); a
 * bridge that lies about the documents cannot make them verify then. With nothing pinned the bridge's offer
 * is used: that guards against corrupted documents but not against a lying bridge, which could offer an
 * authority of its own (and which, when it also serves the page's code, controls the page anyway). The
 * event reported says which. From the bridge's own signed directory only its bridges (flag Bridge) are kept,
 * as first hops and nothing else (no Exit flag): a page reaches the Tor network through its bridge, which
 * sees the page's address anyway; middle and exit come from the verified consensus only.
 */
public final class TorNetworkCheck implements Bootstrap.DirectoryCheck {
    /** Descriptors asked for in one request (as {@link TorDirectoryClient}). */
    static final int DESCRIPTORS_PER_REQUEST = TorDirectoryClient.DESCRIPTORS_PER_REQUEST;
    /** What the bridge answers for {@code /tor/authorities} when it has no Tor network behind it. */
    static final String NO_TOR_NETWORK = "HTTP 404";

    private final Scheduler scheduler;
    private final Bootstrap.TextSource source;
    private final String base;
    private final List<byte[]> pinned;
    private final TorDocuments.Verifier verifier;

    /**
     * {@code base}: the bridge's origin; {@code pinned}: trusted v3 identities (20 bytes each), may be empty;
     * {@code verifier}: the netdoc checks ({@link TorDocuments.Local}, or in the page torcheck.js).
     */
    public TorNetworkCheck(Scheduler scheduler, Bootstrap.TextSource source, String base, List<byte[]> pinned,
            TorDocuments.Verifier verifier) {
        this.verifier = verifier;
        this.scheduler = scheduler;
        this.source = source;
        this.base = base;
        this.pinned = new ArrayList<>(pinned);
    }

    /**
     * The v3 identity of a page's authority option: 40 hex digits, or a whole DirAuthority line (its
     * v3ident). @throws ProtocolException for anything else
     */
    public static byte[] authority(String s) {
        s = s.trim();
        if (s.indexOf(' ') >= 0) {
            return AuthorityLine.parse(s).v3Identity();
        }
        if (s.length() != 40) {
            throw new ProtocolException("authority \"" + s + "\": expected 40 hex digits or a DirAuthority line");
        }
        try {
            return Bytes.unhex(s);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("authority \"" + s + "\": not hex");
        }
    }

    @Override
    public void check(Directory bridgeDirectory, Bootstrap.CheckCallback cb) {
        get("/tor/authorities", cb, offer -> {
            List<byte[]> trusted = pinned;
            String from = "pinned by the page";
            if (trusted.isEmpty()) {
                trusted = new ArrayList<>();
                for (String line : Text.split(offer, "\n")) {
                    if (!line.trim().isEmpty()) {
                        trusted.add(AuthorityLine.parse(line).v3Identity());
                    }
                }
                from = "offered by the bridge, not pinned by the page";
            }
            if (trusted.isEmpty()) {
                throw new ProtocolException("no Tor directory authority to trust");
            }
            List<byte[]> t = trusted;
            String how = from;
            get("/tor/status-vote/current/consensus", cb, consensusText ->
                    get("/tor/keys/fp/" + join(hex(t), 0, t.size()), cb, keysText ->
                            verifier.consensus(consensusText, keysText, t, scheduler.epochSeconds(),
                                    new TorDocuments.Answer<List<String>>() {
                                        @Override
                                        public void ok(List<String> digests) {
                                            fetchDescriptors(bridgeDirectory, digests, 0, new StringBuilder(), cb,
                                                    how, t.size());
                                        }

                                        @Override
                                        public void failed(String reason) {
                                            cb.failed(reason);
                                        }
                                    })));
        }, () -> {
            // A bridge without a Tor network: its own list is all there is, unless the page asked for Tor.
            if (!pinned.isEmpty()) {
                throw new ProtocolException("the page trusts Tor authorities but the bridge offers no Tor network");
            }
            cb.verified(bridgeDirectory, null);
        });
    }

    private void fetchDescriptors(Directory bridgeDirectory, List<String> digests, int from, StringBuilder bodies,
            Bootstrap.CheckCallback cb, String how, int authorities) {
        if (from < digests.size()) {
            int to = Math.min(digests.size(), from + DESCRIPTORS_PER_REQUEST);
            get("/tor/server/d/" + join(digests, from, to), cb, body -> {
                bodies.append(body);
                fetchDescriptors(bridgeDirectory, digests, to, bodies, cb, how, authorities);
            });
            return;
        }
        verifier.relays(bodies.toString(), scheduler.epochSeconds(), new TorDocuments.Answer<List<RelayInfo>>() {
            @Override
            public void ok(List<RelayInfo> tor) {
                cb.verified(combine(bridgeDirectory, tor), "Tor consensus verified (authorities " + how + ", "
                        + authorities + " trusted): " + tor.size() + " of " + digests.size() + " relays usable");
            }

            @Override
            public void failed(String reason) {
                cb.failed(reason);
            }
        });
    }

    /**
     * The page's relay list: the bridges of its bridge's directory as first hops only (no Exit flag), then
     * the verified Tor relays (a Tor relay that is one of those bridges is left out: the bridge's own entry
     * has the WebSocket address a page can reach). Valid while the consensus is reasonably live.
     */
    static Directory combine(Directory bridgeDirectory, List<RelayInfo> tor) {
        List<RelayInfo> out = new ArrayList<>();
        Set<String> entries = new LinkedHashSet<>();
        for (RelayInfo r : bridgeDirectory.relays()) {
            if (r.hasFlag(RelayInfo.FLAG_BRIDGE)) {
                Set<String> flags = new LinkedHashSet<>(r.flags());
                flags.remove(RelayInfo.FLAG_EXIT);
                out.add(new RelayInfo(r.nickname(), r.identity(), r.ntorKey(), r.addresses(), flags, "reject *:*",
                        r.protocols()));
                entries.add(r.identity().fingerprint());
            }
        }
        for (RelayInfo r : tor) {
            if (!entries.contains(r.identity().fingerprint())) {
                out.add(r);
            }
        }
        // The consensus's own validity was checked with it; the list is used as long as the bridge's would be.
        return Directory.verifiedElsewhere(out, bridgeDirectory.validAfter(), bridgeDirectory.validUntil());
    }

    private interface Body {
        void handle(String text);
    }

    private interface Absent {
        void handle();
    }

    private void get(String path, Bootstrap.CheckCallback cb, Body ok) {
        get(path, cb, ok, null);
    }

    /** GETs {@code base + path}; a ProtocolException from the handlers fails the check with its message. */
    private void get(String path, Bootstrap.CheckCallback cb, Body ok, Absent absent) {
        source.get(base + path, new Bootstrap.TextCallback() {
            @Override
            public void text(String body) {
                try {
                    ok.handle(body);
                } catch (ProtocolException e) {
                    cb.failed(e.getMessage());
                }
            }

            @Override
            public void failed(String reason) {
                if (absent != null && NO_TOR_NETWORK.equals(reason)) {
                    try {
                        absent.handle();
                    } catch (ProtocolException e) {
                        cb.failed(e.getMessage());
                    }
                } else {
                    cb.failed(path + ": " + reason);
                }
            }
        });
    }

    private static List<String> hex(List<byte[]> ids) {
        List<String> out = new ArrayList<>();
        for (byte[] id : ids) {
            out.add(Text.asciiUpper(Bytes.hex(id)));
        }
        return out;
    }

    private static String join(List<String> hex, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(i > from ? "+" : "").append(hex.get(i));
        }
        return sb.toString();
    }
}
