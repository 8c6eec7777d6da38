package org.onionpeer.jvm.bridge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.onionpeer.testing.ManualScheduler;

/** {@link SendBatch} hands its own array to the sink: it must not write into it again before it comes back. */
class SendBatchTest {
    private static final int MAX = 16 * 1024;

    /** What the sink got: the array, its length, and a copy of its bytes when handed over. */
    private record Sent(byte[] array, int len, byte[] snapshot) {
    }

    @Test
    void messagesAreNotTouchedUntilRecycledAndTheStreamIsKept() {
        long seed = System.nanoTime();
        System.out.println("SendBatchTest seed " + seed);
        SplittableRandom r = new SplittableRandom(seed);
        ManualScheduler s = new ManualScheduler();
        List<Sent> sent = new ArrayList<>();
        SendBatch b = new SendBatch(s, MAX, (bytes, len) -> sent.add(new Sent(bytes, len,
                Arrays.copyOf(bytes, len))));
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        for (int turn = 0; turn < 200; turn++) {
            int cells = 1 + r.nextInt(80);
            for (int i = 0; i < cells; i++) {
                byte[] cell = new byte[r.nextInt(10) == 0 ? MAX + r.nextInt(100) : 514];
                r.nextBytes(cell);
                all.writeBytes(cell);
                b.add(cell);
                Arrays.fill(cell, (byte) 0); // the caller may reuse its array at once
            }
            s.runUntilIdle();
        }
        // Nothing was recycled: every message still holds what it held when handed over, and together they
        // are the stream, in order.
        ByteArrayOutputStream got = new ByteArrayOutputStream();
        for (Sent m : sent) {
            assertArrayEquals(m.snapshot(), Arrays.copyOf(m.array(), m.len()));
            got.write(m.array(), 0, m.len());
        }
        assertArrayEquals(all.toByteArray(), got.toByteArray());
        assertEquals(0, b.pending());
    }

    /** A link moving bulk data (messages at least half full) reuses one array; an idle one keeps none. */
    @Test
    void aBusyLinkReusesOneArrayAndAnIdleLinkKeepsNone() {
        ManualScheduler s = new ManualScheduler();
        List<byte[]> sent = new ArrayList<>();
        SendBatch b = new SendBatch(s, MAX, (bytes, len) -> sent.add(bytes));
        byte[] bulk = new byte[MAX / 2];
        b.add(bulk);
        s.runUntilIdle();
        b.add(bulk);
        s.runUntilIdle();
        assertNotSame(sent.get(0), sent.get(1), "the first message was not given back yet");
        b.recycle(sent.get(0));
        b.recycle(sent.get(1)); // over the one spare kept: dropped
        b.recycle(new byte[100]); // not one of ours
        b.add(bulk);
        s.runUntilIdle();
        assertSame(sent.get(0), sent.get(2));
        b.add(bulk);
        s.runUntilIdle();
        assertNotSame(sent.get(1), sent.get(3));

        b.recycle(sent.get(2));
        b.add(new byte[514]); // the link goes quiet: a small message takes the spare and none is kept after it
        s.runUntilIdle();
        assertSame(sent.get(2), sent.get(4));
        b.recycle(sent.get(4));
        b.add(new byte[514]);
        s.runUntilIdle();
        assertNotSame(sent.get(4), sent.get(5), "an idle link holds no array between messages");
    }
}
