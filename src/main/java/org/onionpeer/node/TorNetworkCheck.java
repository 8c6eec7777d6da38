package org.onionpeer.node;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Scheduler;

/**
 * A page's own check of the Tor network behind its bridge (a bridge run with {@code --tor-authority}), so that
 * the relays it builds circuits through are the ones the Tor directory authorities vouched for, not whatever
 * list the bridge signed. It asks the bridge for {@code /tor/authorities} (the bridge's DirAuthority lines:
 * its offer; 404 means the bridge has no Tor network behind it), then has {@link Documents} (on the JVM
 * {@link TorDocumentsFetch}; in the page the same class compiled into torcheck.js, loaded only then) fetch
 * and verify the consensus, key certificates and descriptors. Anything wrong fails the check with a message
 * saying what, and {@link Bootstrap} retries later; it never falls back to the bridge's relay list.
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
    /** Fetches and verifies the Tor documents; answers once. */
    public interface Documents {
        /**
         * {@code offer}: the bridge's DirAuthority lines; {@code pinned}: the page's authorities, one per
         * line (v3 identities in hex or DirAuthority lines), empty for none: then the offer is trusted.
         */
        void fetch(String offer, String pinned, long nowSeconds, Answer a);
    }

    public interface Answer {
        /** The verified Tor relays, and what was checked in words. */
        void ok(List<RelayInfo> relays, String event);

        void failed(String reason);
    }

    private final Scheduler scheduler;
    private final Bootstrap.TextSource source;
    private final String base;
    private final String pinned;
    private final Documents documents;

    /** {@code base}: the bridge's origin; {@code pinned}: as {@link Documents#fetch} takes it. */
    public TorNetworkCheck(Scheduler scheduler, Bootstrap.TextSource source, String base, String pinned,
            Documents documents) {
        this.scheduler = scheduler;
        this.source = source;
        this.base = base;
        this.pinned = pinned.trim();
        this.documents = documents;
    }

    /**
     * Asks for {@code /tor/authorities} alongside the bridge's directory rather than after it: a page's first
     * circuits then wait one round trip less. The answer serves the first {@link #check} only (later ones ask
     * again: the bridge may have restarted with another offer).
     */
    @Override
    public void prefetch() {
        if (early != null) {
            return;
        }
        Early e = new Early();
        early = e;
        source.get(base + "/tor/authorities", e);
    }

    /** The prefetched answer, handed to the check that waits for it (or kept until it comes). */
    private static final class Early implements Bootstrap.TextCallback {
        boolean answered;
        String text;
        String failure;
        Bootstrap.TextCallback waiting;

        @Override
        public void text(String body) {
            answered = true;
            text = body;
            deliver();
        }

        @Override
        public void failed(String reason) {
            answered = true;
            failure = reason;
            deliver();
        }

        void deliver() {
            if (answered && waiting != null) {
                Bootstrap.TextCallback w = waiting;
                waiting = null;
                if (failure != null) {
                    w.failed(failure);
                } else {
                    w.text(text);
                }
            }
        }
    }

    /** The prefetch not yet handed to a check, or null. */
    private Early early;

    @Override
    public void check(Directory bridgeDirectory, Bootstrap.CheckCallback cb) {
        Bootstrap.TextCallback offer = offerCallback(bridgeDirectory, cb);
        Early e = early;
        if (e != null) {
            early = null;
            e.waiting = offer;
            e.deliver();
            return;
        }
        source.get(base + "/tor/authorities", offer);
    }

    private Bootstrap.TextCallback offerCallback(Directory bridgeDirectory, Bootstrap.CheckCallback cb) {
        return new Bootstrap.TextCallback() {
            @Override
            public void text(String offer) {
                documents.fetch(offer, pinned, scheduler.epochSeconds(), new Answer() {
                    @Override
                    public void ok(List<RelayInfo> relays, String event) {
                        cb.verified(combine(bridgeDirectory, relays), event);
                    }

                    @Override
                    public void failed(String reason) {
                        cb.failed(reason);
                    }
                });
            }

            @Override
            public void failed(String reason) {
                if (!reason.equals("HTTP 404")) {
                    cb.failed("/tor/authorities: " + reason);
                } else if (pinned.isEmpty()) {
                    cb.verified(bridgeDirectory, null); // no Tor network: the bridge's own list is all there is
                } else {
                    cb.failed("the page trusts Tor authorities but the bridge offers no Tor network");
                }
            }
        };
    }

    /**
     * The page's relay list: the bridges of its bridge's directory as first hops only (no Exit flag), then
     * the verified Tor relays (a Tor relay that is one of those bridges is left out: the bridge's own entry
     * has the WebSocket address a page can reach).
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
}
