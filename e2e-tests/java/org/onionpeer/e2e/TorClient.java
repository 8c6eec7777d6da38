package org.onionpeer.e2e;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import org.onionpeer.circuit.CircuitOptions;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.circuit.ClientStream;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;
import org.onionpeer.jvm.EventLoop;
import org.onionpeer.jvm.JcaRelayPrimitives;
import org.onionpeer.jvm.JvmDialer;
import org.onionpeer.jvm.JvmRelay;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.node.Node;
import org.onionpeer.transport.Transport;

/**
 * A bare onion-proxy client for the e2e load test and the network benchmark: its own {@link EventLoop},
 * {@link Node} and {@link JvmDialer} (TLS only), and {@link ClientCircuit}s through paths the caller picks,
 * so exactly the circuits asked for exist (no pool, no retries hiding failures). Everything touching the
 * core runs on the client's loop; results come back as futures.
 */
final class TorClient implements AutoCloseable {
    /** A built circuit and the time from {@link ClientCircuit#start} to its {@code built} callback. */
    record Built(ClientCircuit circuit, long buildNanos) {
    }

    /** One HTTP body fetched over a stream: its length and SHA-256 (hex), and how long the fetch took. */
    record Fetched(long length, String sha256, long nanos) {
    }

    private final EventLoop loop = new EventLoop("e2e-client");
    private final JvmDialer dialer;
    private final Node node;
    private final JcaRelayPrimitives primitives = new JcaRelayPrimitives();
    private final CircuitOptions circuitOptions;

    TorClient(Channel.Limits limits, CircuitOptions circuitOptions) {
        SecureRandom rnd = new SecureRandom();
        this.dialer = new JvmDialer(loop, null);
        this.node = new Node(loop, rnd::nextBytes, dialer, limits);
        this.circuitOptions = circuitOptions;
    }

    EventLoop loop() {
        return loop;
    }

    Node node() {
        return node;
    }

    /** Runs {@code s} on {@code loop} and waits for its result (a node's state lives on its loop). */
    static <T> T onLoop(EventLoop loop, Supplier<T> s) throws Exception {
        return loop.call(s::get, 30);
    }

    /** Live circuits at every relay of the bridge (its own router included), each read on its loop. */
    static int[] relayCircuitCounts(Bridge bridge) throws Exception {
        List<JvmRelay> all = relaysOf(bridge);
        int[] n = new int[all.size()];
        for (int i = 0; i < n.length; i++) {
            JvmRelay r = all.get(i);
            n[i] = onLoop(r.loop(), () -> r.router().circuitCount());
        }
        return n;
    }

    static List<JvmRelay> relaysOf(Bridge bridge) {
        List<JvmRelay> all = new ArrayList<>();
        all.add(bridge.bridgeRelay());
        all.addAll(bridge.relays());
        return all;
    }

    /** The directory's relays split into exits and the rest. */
    static List<RelayInfo> exits(Bridge bridge, boolean exit) {
        List<RelayInfo> out = new ArrayList<>();
        for (RelayInfo r : bridge.directory().relays()) {
            if (r.hasFlag(RelayInfo.FLAG_EXIT) == exit) {
                out.add(r);
            }
        }
        return out;
    }

    /** Builds a circuit through {@code path} (first link opened or reused on the way). */
    CompletableFuture<Built> build(List<RelayInfo> path) {
        CompletableFuture<Built> f = new CompletableFuture<>();
        loop.execute(() -> node.links().connect(path.get(0), new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel channel) {
                long[] t0 = new long[1];
                ClientCircuit c = new ClientCircuit(channel, node.circuits(), loop, node.entropy(), primitives, path,
                        circuitOptions, new ClientCircuit.Listener() {
                            @Override
                            public void built(ClientCircuit circuit) {
                                f.complete(new Built(circuit, System.nanoTime() - t0[0]));
                            }

                            @Override
                            public void closed(ClientCircuit circuit, String reason) {
                                f.completeExceptionally(new IllegalStateException(circuit + " closed: " + reason));
                            }
                        });
                t0[0] = System.nanoTime();
                c.start();
            }

            @Override
            public void failed(String reason) {
                f.completeExceptionally(new IllegalStateException("no link to " + path.get(0) + ": " + reason));
            }
        }));
        return f;
    }

    /** Closes the circuit (DESTROY down the path). */
    void close(ClientCircuit c) {
        loop.execute(c::close);
    }

    /**
     * GETs {@code path} from {@code host:port} over a new stream on {@code c} (HTTP/1.0), hashing the body as
     * it arrives so nothing is kept; completes once Content-Length bytes came, then ends the stream.
     */
    CompletableFuture<Fetched> fetch(ClientCircuit c, String host, int port, String path) {
        return fetch(c, host, port, path, () -> { });
    }

    /** As above; {@code answered} runs (on the loop) once BEGIN is answered, CONNECTED or not. */
    CompletableFuture<Fetched> fetch(ClientCircuit c, String host, int port, String path, Runnable answered) {
        CompletableFuture<Fetched> f = new CompletableFuture<>();
        byte[] request = ("GET " + path + " HTTP/1.0\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        loop.execute(() -> {
            long t0 = System.nanoTime();
            try {
                c.begin(host, port, new ClientStream.ConnectListener() {
                    @Override
                    public void connected(ClientStream s) {
                        answered.run();
                        s.setListener(new BodyHasher(s, f, t0));
                        s.send(request);
                    }

                    @Override
                    public void failed(ClientStream s, int endReason, String message, boolean retryable) {
                        answered.run();
                        f.completeExceptionally(new IllegalStateException("BEGIN " + host + ":" + port + " on " + c
                                + " failed: " + message + " (END reason " + endReason + ")"));
                    }
                });
            } catch (RuntimeException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    /** Parses the response head, then hashes exactly Content-Length body bytes. */
    private static final class BodyHasher implements Transport.Listener {
        private static final int MAX_HEAD = 16 * 1024;
        private final ClientStream stream;
        private final CompletableFuture<Fetched> result;
        private final long t0;
        private final MessageDigest md = SeededHttpServer.sha256();
        private byte[] head = new byte[0];
        private long expected = -1;
        private long got;

        BodyHasher(ClientStream stream, CompletableFuture<Fetched> result, long t0) {
            this.stream = stream;
            this.result = result;
            this.t0 = t0;
        }

        @Override
        public void onData(byte[] data) {
            if (result.isDone()) {
                return;
            }
            int off = 0;
            if (expected < 0) {
                byte[] h = new byte[head.length + data.length];
                System.arraycopy(head, 0, h, 0, head.length);
                System.arraycopy(data, 0, h, head.length, data.length);
                int end = indexOf(h, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                if (end < 0) {
                    if (h.length > MAX_HEAD) {
                        fail("response head over " + MAX_HEAD + " bytes");
                    }
                    head = h;
                    return;
                }
                String text = new String(h, 0, end, StandardCharsets.ISO_8859_1);
                if (!text.startsWith("HTTP/1.1 200") && !text.startsWith("HTTP/1.0 200")) {
                    fail("bad response: " + text.lines().findFirst().orElse(""));
                    return;
                }
                for (String line : text.split("\r\n")) {
                    if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                        expected = Long.parseLong(line.substring(15).trim());
                    }
                }
                if (expected < 0) {
                    fail("no Content-Length");
                    return;
                }
                int bodyStart = end + 4;
                md.update(h, bodyStart, h.length - bodyStart);
                got += h.length - bodyStart;
                head = null;
            } else {
                md.update(data, off, data.length);
                got += data.length;
            }
            if (got > expected) {
                fail("body longer than Content-Length " + expected);
            } else if (got == expected) {
                result.complete(new Fetched(got, HexFormat.of().formatHex(md.digest()), System.nanoTime() - t0));
                stream.close("done");
            }
        }

        @Override
        public void onClosed(String reason) {
            fail("stream closed after " + got + " of " + expected + " body bytes: " + reason);
        }

        private void fail(String why) {
            if (result.completeExceptionally(new IllegalStateException(why))) {
                stream.close(why);
            }
        }

        private static int indexOf(byte[] h, byte[] needle) {
            outer:
            for (int i = 0; i + needle.length <= h.length; i++) {
                for (int j = 0; j < needle.length; j++) {
                    if (h[i + j] != needle[j]) {
                        continue outer;
                    }
                }
                return i;
            }
            return -1;
        }
    }

    @Override
    public void close() {
        try {
            onLoop(loop, () -> {
                node.links().closeAll("client done");
                return null;
            });
        } catch (Exception ignored) {
            // closing anyway
        }
        dialer.close();
        loop.close();
    }
}
