package org.onionpeer.jvm.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.jvm.EventLoop;

/**
 * 5,000 page links held open at once with the default caps (from 100 loopback addresses, 50 each: the
 * per-address cap), while Jetty's pool stays at its bound: an idle session holds no thread.
 */
@Tag("e2e")
class PageLinkLoadTest {
    static final int SESSIONS = 5_000;
    static final int PER_ADDRESS = 50;

    @Test
    void fiveThousandIdleLinksHoldNoThreads() throws Exception {
        List<RawWs> held = new ArrayList<>();
        try (EventLoop loop = new EventLoop("load-test-loop");
                BridgeServer server = new BridgeServer(new BridgeServer.Options().port(0), loop, null,
                        PageLinkLimitsTest::echo)) {
            server.start();
            long t0 = System.nanoTime();
            try {
                for (int i = 0; i < SESSIONS; i++) {
                    String from = "127.0.1." + (1 + i / PER_ADDRESS);
                    RawWs w = RawWs.open(from, server.port(), "/link");
                    held.add(w);
                    assertEquals(101, w.status, "session " + i + " from " + from + ": " + w.body);
                }
                PageLinkLimitsTest.await("all sessions counted", () -> server.sessionCount() == SESSIONS);
                long ms = (System.nanoTime() - t0) / 1_000_000;
                int threads = poolThreads();
                System.out.println("[load] " + SESSIONS + " page links open in " + ms + " ms; bridge pool threads: "
                        + threads + " (max " + server.options().maxThreads + ")");
                assertTrue(threads <= server.options().maxThreads, "pool bounded: " + threads);
                // Every session still answers: the first, a middle and the last one echo a frame.
                for (int i : new int[] {0, SESSIONS / 2, SESSIONS - 1}) {
                    byte[] b = {(byte) i, 42};
                    held.get(i).sendBinary(b);
                    assertArrayEquals(b, held.get(i).readFrame().payload);
                }
            } finally {
                for (RawWs w : held) {
                    w.close();
                }
            }
            PageLinkLimitsTest.await("every session counted out", () -> server.sessionCount() == 0);
        }
    }

    private static int poolThreads() {
        int n = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("onionpeer-bridge")) {
                n++;
            }
        }
        return n;
    }
}
