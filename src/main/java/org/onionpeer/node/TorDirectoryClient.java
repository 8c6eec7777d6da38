package org.onionpeer.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.netdoc.AuthorityCertificate;
import org.onionpeer.netdoc.AuthorityLine;
import org.onionpeer.netdoc.Consensus;
import org.onionpeer.netdoc.ServerDescriptor;
import org.onionpeer.netdoc.TorDirectory;
import org.onionpeer.platform.Scheduler;

/**
 * Keeps an onion proxy's view of a Tor network given only its directory authorities (torrc DirAuthority
 * lines), as a tor client does (dir-spec §5): over one-hop BEGIN_DIR circuits to an authority it fetches the
 * authority key certificates, the "ns" consensus and the server descriptors the consensus names, verifies
 * every one of them (certificates against the v3 identities of the lines, the consensus against more than
 * half of the authorities, each descriptor's signatures and its digest against the consensus), and hands
 * the relays on as a {@link Directory#verifiedElsewhere} list. Then it fetches again at a random time
 * between the consensus's fresh-until and valid-until (dir-spec §5.1), and after a failure with a growing
 * pause; the last good list stays in use meanwhile.
 *
 * <p>The first contact with an authority knows only its RSA fingerprint and address (no Ed25519 identity, no
 * ntor key): the link is TLS, its CERTS proves that fingerprint, and the one-hop circuit uses CREATE_FAST,
 * which the TLS binding makes safe. Once the consensus lists the authority, its full identity is used.
 *
 * <p>Not done (yet): microdescriptors (clients here use full descriptors, like tor with UseMicrodescriptors
 * 0), fetching from directory caches other than the authorities, and compressed transfers.
 */
public final class TorDirectoryClient {
    /** Descriptors asked for in one request (tor asks for at most 96 server descriptors at once). */
    public static final int DESCRIPTORS_PER_REQUEST = 96;
    /** First pause after a failed refresh, and the most it grows to. */
    public static final long RETRY_MIN_MILLIS = 2_000;
    public static final long RETRY_MAX_MILLIS = 5 * 60_000;
    /** A consensus is used until this long after its valid-until, as tor's "reasonably live" rule. */
    public static final long REASONABLY_LIVE_SECONDS = 24 * 3600;

    /** Told of each new relay list, and of failures (the last good list stays in use). */
    public interface Listener {
        void updated(Directory relays, Consensus consensus);

        void failed(String reason);
    }

    private final OnionProxy proxy;
    private final Scheduler scheduler;
    private final List<AuthorityLine> authorities;
    private final List<byte[]> trusted = new ArrayList<>();
    private final Listener listener;
    private final Map<String, AuthorityCertificate> certs = new HashMap<>();
    private final Map<String, ServerDescriptor> descriptors = new HashMap<>();
    private Consensus consensus;
    private Directory current;
    private Scheduler.Cancellable timer;
    private long retryMillis = RETRY_MIN_MILLIS;
    private int nextAuthority;
    private boolean running;
    private boolean busy;

    public TorDirectoryClient(OnionProxy proxy, List<AuthorityLine> authorities, Listener listener) {
        if (authorities.isEmpty()) {
            throw new IllegalArgumentException("at least one directory authority is needed");
        }
        this.proxy = proxy;
        this.scheduler = proxy.scheduler();
        this.authorities = new ArrayList<>(authorities);
        for (AuthorityLine a : authorities) {
            trusted.add(a.v3Identity());
        }
        this.listener = listener;
    }

    public void start() {
        running = true;
        refresh();
    }

    public void stop() {
        running = false;
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
    }

    /** The current verified relay list, or null before the first. */
    public Directory current() {
        return current;
    }

    public Consensus consensus() {
        return consensus;
    }

    /**
     * The documents behind the current list as they were received (the consensus, the trusted authorities'
     * key certificates, the descriptors it names that verified), keyed by upper-case hex v3 identity and
     * descriptor digest: a bridge passes them on to pages, which check them themselves
     * ({@link TorNetworkCheck}). Null before the first list. Copies: safe to hand to other threads.
     */
    public Documents documents() {
        if (consensus == null) {
            return null;
        }
        Map<String, byte[]> c = new HashMap<>();
        for (AuthorityCertificate a : certs.values()) {
            c.put(Text.asciiUpper(Bytes.hex(a.identityFingerprint())), a.encoded());
        }
        Map<String, byte[]> d = new HashMap<>();
        for (ServerDescriptor s : descriptors.values()) {
            d.put(Text.asciiUpper(Bytes.hex(s.digest())), s.encoded());
        }
        return new Documents(consensus.encoded(), c, d);
    }

    /** See {@link #documents}. */
    public static final class Documents {
        public final byte[] consensus;
        public final Map<String, byte[]> certificates;
        public final Map<String, byte[]> descriptors;

        Documents(byte[] consensus, Map<String, byte[]> certificates, Map<String, byte[]> descriptors) {
            this.consensus = consensus;
            this.certificates = Collections.unmodifiableMap(certificates);
            this.descriptors = Collections.unmodifiableMap(descriptors);
        }
    }

    /** Starts a refresh now unless one is under way. */
    public void refresh() {
        if (!running || busy) {
            return;
        }
        busy = true;
        AuthorityLine auth = authorities.get(nextAuthority % authorities.size());
        new Refresh(auth, source(auth)).fetchConsensus();
    }

    /** The authority as a relay to reach: its full entry once a consensus lists it, else what the line says. */
    private RelayInfo source(AuthorityLine a) {
        if (current != null) {
            for (RelayInfo r : current.relays()) {
                if (Bytes.constantTimeEquals(r.identity().rsaIdentity(), a.rsaFingerprint())) {
                    return r;
                }
            }
        }
        return new RelayInfo(name(a), RelayIdentity.rsaOnly(a.rsaFingerprint()), null,
                Collections.singletonList("tls://" + a.address() + ":" + a.orPort()), Collections.emptySet(), "");
    }

    private static String name(AuthorityLine a) {
        return a.nickname() == null ? "authority" : a.nickname();
    }

    /** One refresh: consensus, then missing certificates, then missing descriptors, then the new list. */
    private final class Refresh {
        final AuthorityLine auth;
        final RelayInfo source;

        Refresh(AuthorityLine auth, RelayInfo source) {
            this.auth = auth;
            this.source = source;
        }

        void fetchConsensus() {
            get("/tor/status-vote/current/consensus", body -> {
                Consensus c = Consensus.parse(body);
                List<String> missing = new ArrayList<>();
                for (byte[] id : trusted) {
                    String hex = Bytes.hex(id);
                    AuthorityCertificate have = certs.get(hex);
                    if (have == null || have.expires() < scheduler.epochSeconds()) {
                        missing.add(hex);
                    }
                }
                if (missing.isEmpty()) {
                    checkConsensus(c);
                } else {
                    get("/tor/keys/fp/" + join(missing), certBody -> {
                        for (AuthorityCertificate cert : AuthorityCertificate.parseAll(certBody)) {
                            cert.verify(scheduler.epochSeconds());
                            certs.put(Bytes.hex(cert.identityFingerprint()), cert);
                        }
                        checkConsensus(c);
                    });
                }
            });
        }

        void checkConsensus(Consensus c) {
            long now = scheduler.epochSeconds();
            c.verify(new ArrayList<>(certs.values()), trusted, now);
            if (consensus != null && c.validAfter() < consensus.validAfter()) {
                throw new ProtocolException("consensus older than the one we have");
            }
            List<String> missing = TorDirectory.missingDescriptors(c, descriptors.values());
            fetchDescriptors(c, missing, 0);
        }

        void fetchDescriptors(Consensus c, List<String> missing, int from) {
            if (from >= missing.size()) {
                install(c);
                return;
            }
            int to = Math.min(missing.size(), from + DESCRIPTORS_PER_REQUEST);
            get("/tor/server/d/" + join(missing.subList(from, to)), body -> {
                long now = scheduler.epochSeconds();
                for (ServerDescriptor d : ServerDescriptor.parseAll(body)) {
                    try {
                        d.verify(now);
                    } catch (ProtocolException e) {
                        continue; // a bad descriptor costs only its relay; TorDirectory skips routers without one
                    }
                    descriptors.put(Bytes.hex(d.digest()), d);
                }
                fetchDescriptors(c, missing, to);
            });
        }

        void install(Consensus c) {
            long now = scheduler.epochSeconds();
            List<RelayInfo> relays = TorDirectory.relays(c, new ArrayList<>(descriptors.values()), now);
            // Forget descriptors the consensus no longer names: the cache is bounded by the consensus.
            Set<String> named = new HashSet<>();
            for (Consensus.Router r : c.routers()) {
                named.add(Bytes.hex(r.descriptorDigest()));
            }
            descriptors.keySet().retainAll(named);
            consensus = c;
            current = Directory.verifiedElsewhere(relays, c.validAfter(), c.validUntil() + REASONABLY_LIVE_SECONDS);
            busy = false;
            retryMillis = RETRY_MIN_MILLIS;
            scheduleNext(nextFetchDelayMillis(c, now));
            listener.updated(current, c);
        }

        void get(String path, BodyHandler handler) {
            proxy.fetchDirectory(source, path, new OnionProxy.DirectoryCallback() {
                @Override
                public void fetched(byte[] body) {
                    if (!running) {
                        return;
                    }
                    try {
                        handler.handle(body);
                    } catch (ProtocolException e) {
                        failed(path + ": " + e.getMessage());
                    }
                }

                @Override
                public void failed(String reason) {
                    if (!running) {
                        return;
                    }
                    busy = false;
                    nextAuthority++;
                    long delay = retryMillis;
                    retryMillis = Math.min(RETRY_MAX_MILLIS, retryMillis * 2);
                    scheduleNext(delay);
                    listener.failed(name(auth) + " " + path + ": " + reason);
                }
            });
        }
    }

    private interface BodyHandler {
        void handle(byte[] body);
    }

    /** dir-spec §5.1: a random moment in the first three quarters between fresh-until and valid-until. */
    private long nextFetchDelayMillis(Consensus c, long now) {
        long span = Math.max(1, (c.validUntil() - c.freshUntil()) * 3 / 4);
        byte[] b = new byte[4];
        proxy.node().entropy().nextBytes(b);
        long r = ((b[0] & 0x7fL) << 24 | (b[1] & 0xffL) << 16 | (b[2] & 0xffL) << 8 | (b[3] & 0xffL)) % span;
        long at = c.freshUntil() + r;
        return Math.max(1_000, (at - now) * 1000);
    }

    private void scheduleNext(long delayMillis) {
        if (timer != null) {
            timer.cancel();
        }
        if (!running) {
            return;
        }
        timer = scheduler.schedule(delayMillis, () -> {
            timer = null;
            refresh();
        });
    }

    private static String join(List<String> hex) {
        StringBuilder sb = new StringBuilder();
        for (String h : hex) {
            if (sb.length() > 0) {
                sb.append('+');
            }
            sb.append(h);
        }
        return sb.toString();
    }
}
