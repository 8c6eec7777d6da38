package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.crypto.Rsa;

/**
 * A v3 network-status consensus (dir-spec §3.4.1), the "ns" flavor served at
 * /tor/status-vote/current/consensus; the "microdesc" flavor (§3.9) parses too (its routers then carry a
 * microdescriptor digest instead of a descriptor digest).
 *
 * <p>{@link #parse} checks the format; {@link #verify} checks the authority signatures and the time window.
 * Unknown keywords are ignored, as tor does, so that newer consensus methods still parse. Nothing may follow
 * the signatures: every item after the first "directory-signature" must be another signature, because
 * nothing after the signed part is authenticated.
 */
public final class Consensus {
    /** Largest consensus accepted (a live ns consensus with ~8,000 relays is about 3 MB). */
    public static final int MAX_BODY = 8 * 1024 * 1024;
    public static final int MAX_ROUTERS = 20000;
    /** Most items in a consensus (each router has about seven). */
    static final int MAX_ITEMS = MAX_ROUTERS * 12 + 2000;
    /** Most signatures considered. */
    public static final int MAX_SIGNATURES = 64;
    /**
     * How long after "valid-until" a consensus is still usable: tor's REASONABLY_LIVE_TIME (24 h,
     * networkstatus.c), which lets a client bootstrap from a slightly stale consensus.
     */
    public static final long REASONABLY_LIVE = 24 * 3600L;
    /** How far before "valid-after" we still accept it (clock skew between us and the authorities). */
    public static final long EARLY_SLOP = 24 * 3600L;

    public static final String FLAVOR_NS = "ns";
    public static final String FLAVOR_MICRODESC = "microdesc";

    /** One "r" entry with the lines that follow it. */
    public static final class Router {
        private final String nickname;
        private final byte[] rsaIdentity;
        private final byte[] descriptorDigest;
        private final long published;
        private final String address;
        private final int orPort;
        private final int dirPort;
        private final Set<String> flags;
        private final String version;
        private final String protocols;
        private final long bandwidth;
        private final String policySummary;
        private final byte[] microdescDigest;

        Router(String nickname, byte[] rsaIdentity, byte[] descriptorDigest, long published, String address,
                int orPort, int dirPort, Set<String> flags, String version, String protocols, long bandwidth,
                String policySummary, byte[] microdescDigest) {
            this.nickname = nickname;
            this.rsaIdentity = rsaIdentity;
            this.descriptorDigest = descriptorDigest;
            this.published = published;
            this.address = address;
            this.orPort = orPort;
            this.dirPort = dirPort;
            this.flags = Collections.unmodifiableSet(flags);
            this.version = version;
            this.protocols = protocols;
            this.bandwidth = bandwidth;
            this.policySummary = policySummary;
            this.microdescDigest = microdescDigest;
        }

        public String nickname() {
            return nickname;
        }

        public byte[] rsaIdentity() {
            return rsaIdentity.clone();
        }

        /** SHA-1 of the server descriptor ("ns" flavor), or null in a microdesc consensus. */
        public byte[] descriptorDigest() {
            return descriptorDigest == null ? null : descriptorDigest.clone();
        }

        /** SHA-256 of the microdescriptor (the "m" line, microdesc flavor), or null. */
        public byte[] microdescDigest() {
            return microdescDigest == null ? null : microdescDigest.clone();
        }

        public long published() {
            return published;
        }

        public String address() {
            return address;
        }

        public int orPort() {
            return orPort;
        }

        public int dirPort() {
            return dirPort;
        }

        public Set<String> flags() {
            return flags;
        }

        public boolean hasFlag(String f) {
            return flags.contains(f);
        }

        /** The "v" line ("Tor 0.4.9.11") or null. */
        public String version() {
            return version;
        }

        /** The "pr" line or null. */
        public String protocols() {
            return protocols;
        }

        /** The "w" line's Bandwidth= value, or -1 when absent. */
        public long bandwidth() {
            return bandwidth;
        }

        /** The "p" line ("accept 80,443" / "reject 1-65535") or null. */
        public String policySummary() {
            return policySummary;
        }

        @Override
        public String toString() {
            return nickname + "~" + Text.asciiUpper(Bytes.hex(rsaIdentity)).substring(0, 8);
        }
    }

    /** A "directory-signature" item. */
    private static final class Signature {
        final String algorithm; // "sha1", "sha256", or something we skip
        final byte[] identity;
        final byte[] signingKeyDigest;
        final byte[] signature;

        Signature(String algorithm, byte[] identity, byte[] signingKeyDigest, byte[] signature) {
            this.algorithm = algorithm;
            this.identity = identity;
            this.signingKeyDigest = signingKeyDigest;
            this.signature = signature;
        }
    }

    private final String flavor;
    private final int consensusMethod;
    private final long validAfter;
    private final long freshUntil;
    private final long validUntil;
    private final List<String> knownFlags;
    private final String requiredRelayProtocols;
    private final String requiredClientProtocols;
    private final String recommendedRelayProtocols;
    private final String recommendedClientProtocols;
    private final List<Router> routers;
    private final List<Signature> signatures;
    private final String text;
    private final int signedEnd;
    private java.util.Map<String, Integer> params = Collections.emptyMap();

    private Consensus(String flavor, int consensusMethod, long validAfter, long freshUntil, long validUntil,
            List<String> knownFlags, String reqRelay, String reqClient, String recRelay, String recClient,
            List<Router> routers, List<Signature> signatures, String text, int signedEnd) {
        this.flavor = flavor;
        this.consensusMethod = consensusMethod;
        this.validAfter = validAfter;
        this.freshUntil = freshUntil;
        this.validUntil = validUntil;
        this.knownFlags = Collections.unmodifiableList(knownFlags);
        this.requiredRelayProtocols = reqRelay;
        this.requiredClientProtocols = reqClient;
        this.recommendedRelayProtocols = recRelay;
        this.recommendedClientProtocols = recClient;
        this.routers = Collections.unmodifiableList(routers);
        this.signatures = signatures;
        this.text = text;
        this.signedEnd = signedEnd;
    }

    /** Parses a consensus body as received (bytes). */
    public static Consensus parse(byte[] body) {
        if (body == null || body.length > MAX_BODY) {
            throw new ProtocolException("consensus: no body or larger than " + MAX_BODY + " bytes");
        }
        return parse(NetDoc.text(body));
    }

    /** Parses a consensus given as the ISO-8859-1 text of its bytes (see {@link NetDoc#text}). */
    public static Consensus parse(String text) {
        if (text == null) {
            throw new ProtocolException("consensus: no text");
        }
        if (text.length() > MAX_BODY) {
            throw new ProtocolException("consensus: larger than " + MAX_BODY + " bytes");
        }
        List<NetDoc.Item> items = NetDoc.tokenize(text, MAX_ITEMS);
        if (items.isEmpty() || !items.get(0).keyword.equals("network-status-version")) {
            throw new ProtocolException("consensus: does not start with \"network-status-version\"");
        }
        NetDoc.Item v = items.get(0).minArgs(1).noObject();
        if (items.get(0).start != 0) {
            throw new ProtocolException("consensus: text before \"network-status-version\"");
        }
        if (!v.arg(0).equals("3")) {
            throw new ProtocolException("consensus: network-status-version " + v.arg(0) + ", expected 3");
        }
        String flavor = v.argCount() > 1 ? v.arg(1) : FLAVOR_NS;
        if (!flavor.equals(FLAVOR_NS) && !flavor.equals(FLAVOR_MICRODESC)) {
            throw new ProtocolException("consensus: unsupported flavor " + flavor);
        }
        boolean micro = flavor.equals(FLAVOR_MICRODESC);

        // Split into preamble (up to the first dir-source or r), routers, footer.
        int firstSig = -1;
        for (int i = 0; i < items.size(); i++) {
            if (items.get(i).keyword.equals("directory-signature")) {
                firstSig = i;
                break;
            }
        }
        if (firstSig < 0) {
            throw new ProtocolException("consensus: no \"directory-signature\"");
        }
        List<NetDoc.Item> preamble = new ArrayList<>();
        int i = 0;
        while (i < firstSig && !items.get(i).keyword.equals("dir-source") && !items.get(i).keyword.equals("r")
                && !items.get(i).keyword.equals("directory-footer")) {
            preamble.add(items.get(i++));
        }
        NetDoc.one(preamble, "network-status-version");
        NetDoc.Item status = NetDoc.one(preamble, "vote-status").minArgs(1).noObject();
        if (!status.arg(0).equals("consensus")) {
            throw new ProtocolException("consensus: vote-status " + status.arg(0));
        }
        NetDoc.Item cm = NetDoc.atMostOne(preamble, "consensus-method");
        int method = cm == null ? 1 : (int) NetDoc.number(cm.minArgs(1).arg(0), 1, 1000000, "consensus-method");
        long validAfter = NetDoc.time(NetDoc.one(preamble, "valid-after"), 0);
        long freshUntil = NetDoc.time(NetDoc.one(preamble, "fresh-until"), 0);
        long validUntil = NetDoc.time(NetDoc.one(preamble, "valid-until"), 0);
        if (!(validAfter < freshUntil && freshUntil <= validUntil)) {
            throw new ProtocolException("consensus: valid-after, fresh-until, valid-until out of order");
        }
        NetDoc.Item kf = NetDoc.one(preamble, "known-flags");
        List<String> knownFlags = new ArrayList<>();
        for (int k = 0; k < kf.argCount(); k++) {
            knownFlags.add(kf.arg(k));
        }
        String reqRelay = lineText(NetDoc.atMostOne(preamble, "required-relay-protocols"));
        String reqClient = lineText(NetDoc.atMostOne(preamble, "required-client-protocols"));
        String recRelay = lineText(NetDoc.atMostOne(preamble, "recommended-relay-protocols"));
        String recClient = lineText(NetDoc.atMostOne(preamble, "recommended-client-protocols"));

        // Authority section: dir-source / contact / vote-digest lines; skipped (signatures are what count).
        while (i < firstSig && !items.get(i).keyword.equals("r")
                && !items.get(i).keyword.equals("directory-footer")) {
            i++;
        }
        List<Router> routers = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (i < firstSig && items.get(i).keyword.equals("r")) {
            int j = i + 1;
            while (j < firstSig && !items.get(j).keyword.equals("r")
                    && !items.get(j).keyword.equals("directory-footer")) {
                j++;
            }
            if (routers.size() >= MAX_ROUTERS) {
                throw new ProtocolException("consensus: more than " + MAX_ROUTERS + " routers");
            }
            Router r = router(items.subList(i, j), micro, knownFlags);
            if (!seen.add(Bytes.hex(r.rsaIdentity))) {
                throw new ProtocolException("consensus: router " + r + " listed twice");
            }
            routers.add(r);
            i = j;
        }
        // Footer (directory-footer, bandwidth-weights, ...): nothing a client needs here, but a router
        // entry there would be one we silently dropped.
        for (int k = i; k < firstSig; k++) {
            if (items.get(k).keyword.equals("r")) {
                throw new ProtocolException("consensus: router entry after \"directory-footer\"");
            }
        }
        List<Signature> sigs = new ArrayList<>();
        for (int k = firstSig; k < items.size(); k++) {
            NetDoc.Item s = items.get(k);
            if (!s.keyword.equals("directory-signature")) {
                throw new ProtocolException("consensus: \"" + s.keyword + "\" after the signatures");
            }
            if (sigs.size() >= MAX_SIGNATURES) {
                throw new ProtocolException("consensus: more than " + MAX_SIGNATURES + " signatures");
            }
            sigs.add(signature(s));
        }
        // dir-spec §3.4.1: the signature covers the document from the start of "network-status-version"
        // through the space after "directory-signature" (of the first signature; tor's
        // router_get_networkstatus_v3_signed_boundaries).
        NetDoc.Item fs = items.get(firstSig);
        int keywordEnd = fs.start + "directory-signature".length();
        if (keywordEnd >= text.length() || text.charAt(keywordEnd) != ' ') {
            throw new ProtocolException("consensus: \"directory-signature\" not followed by a space");
        }
        Consensus c = new Consensus(flavor, method, validAfter, freshUntil, validUntil, knownFlags, reqRelay,
                reqClient, recRelay, recClient, routers, sigs, text, keywordEnd + 1);
        c.params = params(NetDoc.atMostOne(preamble, "params"));
        return c;
    }

    /**
     * dir-spec §3.4.1 "params" SP [Parameters]: Keyword=Int32 pairs, sorted by keyword, each keyword once.
     * A malformed entry refuses the document (tor's ns_parse.c does too).
     */
    static java.util.Map<String, Integer> params(NetDoc.Item it) {
        java.util.Map<String, Integer> m = new java.util.LinkedHashMap<>();
        if (it == null) {
            return m;
        }
        it.noObject();
        String last = null;
        for (int k = 0; k < it.argCount(); k++) {
            String a = it.arg(k);
            int eq = a.indexOf('=');
            if (eq <= 0) {
                throw new ProtocolException("consensus: params entry \"" + a + "\" is not Keyword=Int32");
            }
            String key = a.substring(0, eq);
            if (last != null && key.compareTo(last) <= 0) {
                throw new ProtocolException("consensus: params keyword " + key + " out of order");
            }
            last = key;
            String v = a.substring(eq + 1);
            boolean negative = v.startsWith("-");
            long n = NetDoc.number(negative ? v.substring(1) : v, 0, negative ? 1L << 31 : Integer.MAX_VALUE,
                    "consensus: params " + key);
            m.put(key, (int) (negative ? -n : n));
        }
        return Collections.unmodifiableMap(m);
    }

    /** The consensus parameters ("params" line; empty when absent), e.g. cc_alg, cc_sendme_inc. */
    public java.util.Map<String, Integer> params() {
        return params;
    }

    private static String lineText(NetDoc.Item it) {
        return it == null ? null : it.noObject().argText;
    }

    private static Router router(List<NetDoc.Item> items, boolean micro, List<String> knownFlags) {
        NetDoc.Item r = items.get(0).noObject();
        // ns: r nickname identity digest date time IP ORPort DirPort (§3.4.1);
        // microdesc: r nickname identity date time IP ORPort DirPort (§3.9).
        int n = micro ? 7 : 8;
        r.minArgs(n);
        int a = 0;
        String nickname = r.arg(a++);
        if (nickname.isEmpty() || nickname.length() > 19) {
            throw new ProtocolException("consensus: bad router nickname");
        }
        for (int k = 0; k < nickname.length(); k++) {
            char c = nickname.charAt(k);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                throw new ProtocolException("consensus: bad router nickname");
            }
        }
        byte[] id = Base64.decode(r.arg(a++), 20, "consensus r identity");
        byte[] digest = micro ? null : Base64.decode(r.arg(a++), 20, "consensus r digest");
        long published = NetDoc.time(r.arg(a), r.arg(a + 1), "consensus r published");
        a += 2;
        String address = NetDoc.ipv4(r.arg(a++), "consensus r address");
        int orPort = NetDoc.port(r.arg(a++), "consensus r ORPort");
        int dirPort = NetDoc.port(r.arg(a), "consensus r DirPort");
        if (orPort == 0) {
            throw new ProtocolException("consensus: router " + nickname + " has ORPort 0");
        }
        NetDoc.Item s = NetDoc.atMostOne(items, "s");
        Set<String> flags = new LinkedHashSet<>();
        if (s != null) {
            for (int k = 0; k < s.argCount(); k++) {
                if (!knownFlags.contains(s.arg(k))) {
                    throw new ProtocolException("consensus: router " + nickname + " has unknown flag " + s.arg(k));
                }
                flags.add(s.arg(k));
            }
        }
        NetDoc.Item v = NetDoc.atMostOne(items, "v");
        NetDoc.Item pr = NetDoc.atMostOne(items, "pr");
        NetDoc.Item w = NetDoc.atMostOne(items, "w");
        long bandwidth = -1;
        if (w != null) {
            for (int k = 0; k < w.argCount(); k++) {
                if (w.arg(k).startsWith("Bandwidth=")) {
                    bandwidth = NetDoc.number(w.arg(k).substring(10), 0, 0xffffffffL, "consensus w Bandwidth");
                }
            }
        }
        NetDoc.Item p = NetDoc.atMostOne(items, "p");
        byte[] md = null;
        if (micro) {
            NetDoc.Item m = NetDoc.atMostOne(items, "m");
            if (m != null) {
                md = Base64.decode(m.minArgs(1).arg(0), 32, "consensus m digest");
            }
        }
        return new Router(nickname, id, digest, published, address, orPort, dirPort, flags,
                v == null ? null : v.argText, pr == null ? null : pr.argText, bandwidth,
                p == null ? null : p.argText, md);
    }

    private static Signature signature(NetDoc.Item s) {
        // "directory-signature [algorithm] identity signing-key-digest" (dir-spec §3.4.1); no algorithm = sha1.
        String alg;
        int a;
        if (s.argCount() == 2) {
            alg = "sha1";
            a = 0;
        } else {
            s.minArgs(3);
            alg = s.arg(0);
            a = 1;
        }
        byte[] id = NetDoc.hex20(s.arg(a), "directory-signature identity");
        byte[] skd = NetDoc.hex20(s.arg(a + 1), "directory-signature signing key digest");
        byte[] sig = s.objectOf("SIGNATURE");
        return new Signature(alg, id, skd, sig);
    }

    /**
     * Checks the consensus at {@code nowSeconds}: signed by more than half of {@code trustedV3Identities}
     * (tor's rule, networkstatus_check_consensus_signature), each signature made with the signing key of a
     * certificate in {@code certs} that itself verifies and belongs to that trusted identity; and
     * {@code validAfter - EARLY_SLOP <= now <= validUntil + REASONABLY_LIVE}. Signatures by unknown
     * authorities and with unknown digest algorithms are ignored, as in tor.
     *
     * @throws ProtocolException saying why not
     */
    public void verify(List<AuthorityCertificate> certs, List<byte[]> trustedV3Identities, long nowSeconds) {
        if (certs == null || trustedV3Identities == null || trustedV3Identities.isEmpty()) {
            throw new ProtocolException("consensus: no trusted authorities");
        }
        if (nowSeconds > validUntil + REASONABLY_LIVE) {
            throw new ProtocolException("consensus: too old (valid until " + NetDoc.formatTime(validUntil) + ")");
        }
        if (nowSeconds < validAfter - EARLY_SLOP) {
            throw new ProtocolException("consensus: not valid yet (valid after " + NetDoc.formatTime(validAfter)
                    + ")");
        }
        Set<String> trusted = new HashSet<>();
        for (byte[] t : trustedV3Identities) {
            if (t == null || t.length != 20) {
                throw new ProtocolException("consensus: a trusted v3 identity is not 20 bytes");
            }
            trusted.add(Bytes.hex(t));
        }
        byte[] signed = NetDoc.bytes(text, 0, signedEnd);
        byte[] sha1 = null;
        byte[] sha256 = null;
        Set<String> good = new HashSet<>();
        String lastProblem = "no signature by a trusted authority";
        for (Signature s : signatures) {
            String id = Bytes.hex(s.identity);
            if (!trusted.contains(id) || good.contains(id)) {
                continue;
            }
            byte[] digest;
            if (s.algorithm.equals("sha1")) {
                digest = sha1 != null ? sha1 : (sha1 = Rsa.sha1(signed));
            } else if (s.algorithm.equals("sha256")) {
                digest = sha256 != null ? sha256 : (sha256 = Rsa.sha256(signed));
            } else {
                continue;
            }
            AuthorityCertificate cert = null;
            for (AuthorityCertificate c : certs) {
                if (Bytes.constantTimeEquals(c.identityFingerprint(), s.identity)
                        && Bytes.constantTimeEquals(c.signingKeyDigest(), s.signingKeyDigest)) {
                    cert = c;
                    break;
                }
            }
            if (cert == null) {
                lastProblem = "no key certificate for authority " + Text.asciiUpper(id);
                continue;
            }
            try {
                cert.verify(nowSeconds);
            } catch (ProtocolException e) {
                lastProblem = e.getMessage();
                continue;
            }
            if (cert.signingKey().verifyRawDigest(digest, s.signature)) {
                good.add(id);
            } else {
                lastProblem = "bad signature by authority " + Text.asciiUpper(id);
            }
        }
        if (good.size() * 2 <= trusted.size()) {
            throw new ProtocolException("consensus: signed by " + good.size() + " of " + trusted.size()
                    + " trusted authorities, need more than half (" + lastProblem + ")");
        }
    }

    /** The document's bytes as received: for passing on verbatim (its signatures are the authorities'). */
    public byte[] encoded() {
        return NetDoc.bytes(text, 0, text.length());
    }

    /** "ns" or "microdesc". */
    public String flavor() {
        return flavor;
    }

    public int consensusMethod() {
        return consensusMethod;
    }

    public long validAfter() {
        return validAfter;
    }

    public long freshUntil() {
        return freshUntil;
    }

    public long validUntil() {
        return validUntil;
    }

    public List<String> knownFlags() {
        return knownFlags;
    }

    /** The "required-relay-protocols" line or null. */
    public String requiredRelayProtocols() {
        return requiredRelayProtocols;
    }

    /** The "required-client-protocols" line or null. */
    public String requiredClientProtocols() {
        return requiredClientProtocols;
    }

    public String recommendedRelayProtocols() {
        return recommendedRelayProtocols;
    }

    public String recommendedClientProtocols() {
        return recommendedClientProtocols;
    }

    public List<Router> routers() {
        return routers;
    }

    /** The router with this RSA identity, or null. */
    public Router router(byte[] rsaIdentity) {
        for (Router r : routers) {
            if (java.util.Arrays.equals(r.rsaIdentity, rsaIdentity)) {
                return r;
            }
        }
        return null;
    }
}
