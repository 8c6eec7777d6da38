package org.onionpeer.node;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;
import org.onionpeer.netdoc.AuthorityLine;
import org.onionpeer.netdoc.Consensus;
import org.onionpeer.netdoc.TorDirectory;
import org.onionpeer.netdoc.TorDocuments;

/**
 * Fetches the Tor documents a bridge passes on, as C tor serves them (dir-spec §4): the "ns" consensus
 * ({@code /tor/status-vote/current/consensus}), the trusted authorities' key certificates
 * ({@code /tor/keys/fp/ID+ID}) and the server descriptors the consensus names ({@code /tor/server/d/D+D}),
 * and verifies them with {@link TorDocuments} (the netdoc code the JVM's onion proxy uses). In the page this
 * runs in torcheck.js, so that onionpeer.js carries none of the parsers.
 */
public final class TorDocumentsFetch implements TorNetworkCheck.Documents {
    /** Descriptors asked for in one request (as {@link TorDirectoryClient}). */
    static final int DESCRIPTORS_PER_REQUEST = TorDirectoryClient.DESCRIPTORS_PER_REQUEST;

    private final Bootstrap.TextSource source;
    private final String base;

    public TorDocumentsFetch(Bootstrap.TextSource source, String base) {
        this.source = source;
        this.base = base;
    }

    /**
     * The v3 identity of an authority given as 40 hex digits or as a DirAuthority line (its v3ident).
     * @throws ProtocolException for anything else
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

    private static List<byte[]> authorities(String lines) {
        List<byte[]> out = new ArrayList<>();
        for (String line : Text.split(lines, "\n")) {
            if (!line.trim().isEmpty()) {
                out.add(authority(line));
            }
        }
        return out;
    }

    @Override
    public void fetch(String offer, String pinned, long now, TorNetworkCheck.Answer a) {
        List<byte[]> t;
        try {
            t = authorities(pinned.isEmpty() ? offer : pinned);
            if (t.isEmpty()) {
                throw new ProtocolException("no Tor directory authority to trust");
            }
        } catch (ProtocolException e) {
            a.failed(e.getMessage());
            return;
        }
        String how = pinned.isEmpty() ? "offered by the bridge, not pinned by the page" : "pinned by the page";
        List<String> ids = new ArrayList<>();
        for (byte[] id : t) {
            ids.add(Text.asciiUpper(Bytes.hex(id)));
        }
        get("/tor/status-vote/current/consensus", a, false, consensusText ->
                // No certificate for an authority (404) is no signature of it: the consensus check says so.
                get("/tor/keys/fp/" + join(ids, 0, ids.size()), a, true, keysText -> {
                    Consensus c = TorDocuments.consensus(consensusText, keysText, t, now);
                    List<String> digests = TorDirectory.missingDescriptors(c, new ArrayList<>());
                    descriptors(c, digests, 0, new StringBuilder(), now, a,
                            "Tor consensus verified (authorities " + how + ", " + t.size() + " trusted): ");
                }));
    }

    private void descriptors(Consensus c, List<String> digests, int from, StringBuilder bodies, long now,
            TorNetworkCheck.Answer a, String event) {
        if (from < digests.size()) {
            int to = Math.min(digests.size(), from + DESCRIPTORS_PER_REQUEST);
            get("/tor/server/d/" + join(digests, from, to), a, true, body -> {
                bodies.append(body);
                descriptors(c, digests, to, bodies, now, a, event);
            });
            return;
        }
        List<org.onionpeer.dir.RelayInfo> relays = TorDocuments.relays(c, bodies.toString(), now);
        a.ok(relays, event + relays.size() + " of " + digests.size() + " relays usable");
    }

    private interface Body {
        void handle(String text);
    }

    /**
     * GETs {@code base + path}; a ProtocolException from the handler fails the check with its message.
     * {@code absentIsEmpty}: a 404 (the bridge holds none of what was asked for) is an empty answer.
     */
    private void get(String path, TorNetworkCheck.Answer a, boolean absentIsEmpty, Body ok) {
        source.get(base + path, new Bootstrap.TextCallback() {
            @Override
            public void text(String body) {
                try {
                    ok.handle(body);
                } catch (ProtocolException e) {
                    a.failed(e.getMessage());
                }
            }

            @Override
            public void failed(String reason) {
                if (absentIsEmpty && reason.equals("HTTP 404")) {
                    text("");
                } else {
                    a.failed(path + ": " + reason);
                }
            }
        });
    }

    private static String join(List<String> hex, int from, int to) {
        StringBuilder sb = new StringBuilder();
        for (int i = from; i < to; i++) {
            sb.append(i > from ? "+" : "").append(hex.get(i));
        }
        return sb.toString();
    }
}
