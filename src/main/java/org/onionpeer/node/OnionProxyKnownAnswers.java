package org.onionpeer.node;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.circuit.ClientCircuit;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ed25519;
import org.onionpeer.dir.Directory;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.selftest.Check;
import org.onionpeer.selftest.KnownAnswers;
import org.onionpeer.transport.StreamOpener;
import org.onionpeer.transport.Transport;

/**
 * Deterministic checks of the onion proxy's platform-neutral pieces: the EXTEND2 link specifiers in the
 * tor-spec §5.1.2 layout and order, the HTTP/1.0 directory request and response parser (dir-spec §6), and
 * the proxy's path and failure logic on a virtual clock when no relay can be reached. Runs on the JVM and,
 * compiled by TeaVM, in the browser.
 */
public final class OnionProxyKnownAnswers implements KnownAnswers {
    @Override
    public String name() {
        return "onion-proxy";
    }

    private static byte[] fill(int n, int v) {
        byte[] b = new byte[n];
        Arrays.fill(b, (byte) v);
        return b;
    }

    private static RelayInfo relay(String nick, int id, String address, String... flags) {
        return new RelayInfo(nick, new RelayIdentity(fill(20, id), fill(32, id + 1)), fill(32, id + 2),
                Collections.singletonList(address), new HashSet<>(Arrays.asList(flags)), "");
    }

    private static String specs(RelayInfo r) {
        ByteWriter w = new ByteWriter();
        for (LinkSpecifier s : ClientCircuit.linkSpecifiers(r)) {
            s.encodeInto(w);
        }
        return Bytes.hex(w.toByteArray());
    }

    @Override
    public void run(Check c) {
        // tor-spec §5.1.2: LSTYPE LSLEN LSPEC, ordered 00 (IPv4 4 + port 2), 02 (RSA id 20), 03 (Ed25519 32).
        String rsa = Bytes.hex(fill(20, 0x11));
        String ed = Bytes.hex(fill(32, 0x12));
        String want = "0006" + "0a000002" + "2329" + "0214" + rsa + "0320" + ed;
        String got = specs(relay("m", 0x11, "tls://10.0.0.2:9001"));
        c.that("extend2-specifiers-tls", want.equals(got), got);
        got = specs(relay("w", 0x11, "ws://10.0.0.2:80/tor"));
        c.that("extend2-specifiers-ws-has-no-address", ("0214" + rsa + "0320" + ed).equals(got), got);

        byte[] req = HttpResponse.request("/tor/status-vote/current/consensus");
        c.that("http-request", Bytes.hex(req).equals(Bytes.hex(
                Bytes.ascii("GET /tor/status-vote/current/consensus HTTP/1.0\r\n\r\n"))), Bytes.hex(req));
        c.rejects("http-request-needs-slash", () -> HttpResponse.request("tor"));
        c.rejects("http-request-no-spaces", () -> HttpResponse.request("/a b"));
        HttpResponse r = HttpResponse.decode(Bytes.ascii("HTTP/1.0 200 OK\r\nContent-Length: 3\r\n\r\nabcdef"));
        c.that("http-200-content-length", r.status() == 200 && Bytes.hex(r.body()).equals("616263"),
                r.status() + " " + Bytes.hex(r.body()));
        r = HttpResponse.decode(Bytes.ascii("HTTP/1.0 404 Not found\r\nX: y\r\n\r\nno"));
        c.that("http-404-to-end", r.status() == 404 && r.reason().equals("Not found") && "y".equals(r.header("x"))
                && Bytes.hex(r.body()).equals("6e6f"), r.status() + " " + r.reason());
        c.rejects("http-no-header-end", () -> HttpResponse.decode(Bytes.ascii("HTTP/1.0 200 OK\r\n")));
        c.rejects("http-bad-status", () -> HttpResponse.decode(Bytes.ascii("HTTP/1.0 2x0 OK\r\n\r\n")));
        c.rejects("http-not-http", () -> HttpResponse.decode(Bytes.ascii("SSH-2.0 x\r\n\r\n")));
        c.rejects("http-short-body", () -> HttpResponse.decode(
                Bytes.ascii("HTTP/1.0 200 OK\r\nContent-Length: 9\r\n\r\nabc")));
        c.rejects("http-bad-header", () -> HttpResponse.decode(Bytes.ascii("HTTP/1.0 200 OK\r\nnocolon\r\n\r\n")));

        unreachable(c);
    }

    /**
     * No relay can be dialled: the proxy tries each possible first hop (Guard first), backs off between
     * attempts, and fails the waiting stream with NOROUTE once no first hop is left.
     */
    private static void unreachable(Check c) {
        VirtualScheduler s = new VirtualScheduler();
        int[] counter = {0};
        Node node = new Node(s, out -> {
            for (int i = 0; i < out.length; i++) {
                out[i] = (byte) (counter[0]++ * 167 + 13);
            }
        }, new Dialer() {
            @Override
            public boolean canDial(LinkTarget target) {
                return false;
            }

            @Override
            public void dial(LinkTarget target, DialCallback cb) {
                cb.failed("unreachable");
            }
        }, null);
        List<RelayInfo> relays = new ArrayList<>();
        relays.add(relay("g", 0x20, "tls://10.0.0.1:9001", RelayInfo.FLAG_GUARD));
        relays.add(relay("m", 0x30, "tls://10.0.0.2:9001"));
        relays.add(relay("e", 0x40, "tls://10.0.0.3:9001", RelayInfo.FLAG_EXIT));
        Directory d = Directory.sign(relays, 0, 2_000_000_000L, Ed25519.fromSeed(fill(32, 7)));
        OnionProxy p = new OnionProxy(node, new BcRelayPrimitives(), d, null);
        String[] result = new String[1];
        p.open("example.com", 443, new StreamOpener.OpenCallback() {
            @Override
            public void opened(Transport stream) {
                result[0] = "opened";
            }

            @Override
            public void failed(int endReason, String message) {
                result[0] = EndReason.name(endReason) + " at " + s.nowMillis();
            }
        });
        c.that("unreachable-waits", result[0] == null && p.pendingStreams() == 1, String.valueOf(p.pendingStreams()));
        s.runFor(10_000);
        c.that("unreachable-noroute", "NOROUTE at 1000".equals(result[0]), String.valueOf(result[0]));
        c.that("unreachable-nothing-pending", p.pendingStreams() == 0 && p.circuits().isEmpty(),
                p.pendingStreams() + " " + p.circuits().size());
        c.rejects("bad-path-length", () -> {
            OnionProxy.Options o = new OnionProxy.Options();
            o.pathLength = 0;
            new OnionProxy(node, new BcRelayPrimitives(), d, o);
        });
    }

    /** A virtual-time scheduler: deterministic on every platform. */
    private static final class VirtualScheduler implements Scheduler {
        private final PriorityQueue<long[]> order = new PriorityQueue<>((a, b) -> a[0] != b[0]
                ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        private final List<Runnable> tasks = new ArrayList<>();
        private final List<boolean[]> cancelled = new ArrayList<>();
        private long now;

        @Override
        public long nowMillis() {
            return now;
        }

        @Override
        public long epochSeconds() {
            return 1_750_000_000L + now / 1000;
        }

        @Override
        public void execute(Runnable task) {
            schedule(0, task);
        }

        @Override
        public Cancellable schedule(long delayMillis, Runnable task) {
            int i = tasks.size();
            tasks.add(task);
            boolean[] flag = {false};
            cancelled.add(flag);
            order.add(new long[] {now + Math.max(0, delayMillis), i});
            return () -> flag[0] = true;
        }

        void runFor(long millis) {
            long end = now + millis;
            while (!order.isEmpty() && order.peek()[0] <= end) {
                long[] t = order.poll();
                now = t[0];
                if (!cancelled.get((int) t[1])[0]) {
                    tasks.get((int) t[1]).run();
                }
            }
            now = end;
        }
    }
}
