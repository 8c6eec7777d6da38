package org.onionpeer.jvm;

import java.net.URI;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.onionpeer.dht.BridgeAddress;
import org.onionpeer.dht.NodeId;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.peer.PeerCert;
import org.onionpeer.peer.PeerService;

/**
 * A bridge's federation with the bridge it was told to {@code --join}: a Tor link from our bridge relay to
 * theirs (its CERTS prove their identity), a JOIN over it, and after that one peer network: one DHT, and
 * introductions between pages of either bridge. The link is kept: when it breaks (the other bridge restarts,
 * perhaps with new keys), their directory is fetched again and we join again, backing off from 1 s to 60 s.
 * Everything but the directory fetch (blocking HTTP, on its own thread) runs on the bridge relay's loop.
 */
final class BridgeFederation {
    static final long MIN_BACKOFF_MILLIS = 1000;
    static final long MAX_BACKOFF_MILLIS = 60_000;

    private final JvmRelay relay;
    private final PeerService peers;
    private final URI url;
    private final BridgeAddress address;
    private final ExecutorService fetcher = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "federation");
        t.setDaemon(true);
        return t;
    });
    private RelayInfo target;
    private NodeId targetId;
    private long backoff = MIN_BACKOFF_MILLIS;
    private volatile boolean closed;
    private volatile String state = "joining";

    BridgeFederation(JvmRelay relay, PeerService peers, URI url, Directory theirs) {
        this.relay = relay;
        this.peers = peers;
        this.url = url;
        this.address = BridgeAddress.of(url.getHost(), url.getPort() > 0 ? url.getPort()
                : "https".equals(url.getScheme()) ? 443 : 80);
        this.target = bridgeOf(theirs);
        relay.loop().execute(() -> {
            peers.onFederationClosed(id -> {
                if (id.equals(targetId)) {
                    retry("the link closed");
                }
            });
            connect();
        });
    }

    /** The relay with the Bridge flag in a bridge's directory: the one that speaks for its pages. */
    static RelayInfo bridgeOf(Directory d) {
        for (RelayInfo r : d.relays()) {
            if (r.hasFlag(RelayInfo.FLAG_BRIDGE)) {
                return r;
            }
        }
        throw new IllegalStateException("the joined bridge's directory lists no bridge relay");
    }

    /** "joining", "federated" or why the last attempt failed (for logs and tests). */
    String state() {
        return state;
    }

    private void connect() {
        if (closed) {
            return;
        }
        relay.node().links().connect(target, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel ch) {
                byte[] ed = ch.peerIdentity() == null ? null : ch.peerIdentity().ed25519Identity();
                if (ed == null) {
                    ch.close("the bridge proved no Ed25519 identity");
                    retry("the bridge proved no Ed25519 identity");
                    return;
                }
                targetId = NodeId.ofKey(PeerCert.spkiOf(ed));
                peers.joinBridge(ch, ed, address, err -> {
                    if (err == null) {
                        backoff = MIN_BACKOFF_MILLIS;
                        state = "federated";
                        System.err.println("[onionpeer] federated with the bridge at " + address);
                    } else {
                        ch.close(err);
                        retry(err);
                    }
                });
            }

            @Override
            public void failed(String reason) {
                retry(reason);
            }
        });
    }

    private void retry(String why) {
        if (closed) {
            return;
        }
        state = why;
        long wait = backoff;
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MILLIS);
        System.err.println("[onionpeer] federation with " + address + ": " + why + "; again in " + wait + " ms");
        relay.loop().schedule(wait, () -> {
            if (!closed) {
                fetcher.execute(this::refetch);
            }
        });
    }

    private void refetch() {
        try {
            RelayInfo fresh = bridgeOf(Bridge.fetchDirectory(url));
            relay.loop().execute(() -> {
                target = fresh;
                connect();
            });
        } catch (Exception e) {
            relay.loop().execute(() -> retry("directory: " + e.getMessage()));
        }
    }

    void close() {
        closed = true;
        fetcher.shutdownNow();
    }
}
