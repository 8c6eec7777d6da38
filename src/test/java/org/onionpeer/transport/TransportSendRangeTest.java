package org.onionpeer.transport;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.onionpeer.testing.ManualScheduler;

/** send(b, off, len): the caller reuses its array at once (a link's scratch), so what was queued must be a copy. */
class TransportSendRangeTest {
    @Test
    void theDefaultCopiesTheRange() {
        List<byte[]> sent = new ArrayList<>();
        Transport t = new Transport() {
            @Override
            public void send(byte[] data) {
                sent.add(data); // keeps the array, as a transport may
            }

            @Override
            public void close(String reason) {
            }

            @Override
            public long bufferedAmount() {
                return 0;
            }

            @Override
            public void setListener(Listener listener) {
            }
        };
        byte[] scratch = {1, 2, 3, 4, 5};
        t.send(scratch, 1, 3);
        scratch[2] = 9;
        assertEquals(1, sent.size());
        assertArrayEquals(new byte[] {2, 3, 4}, sent.get(0));
    }

    @Test
    void aPipeDeliversTheRangeAsItWasWhenSent() {
        ManualScheduler s = new ManualScheduler();
        Pipe p = new Pipe(s, s);
        List<byte[]> got = new ArrayList<>();
        p.b().setListener(new Transport.Listener() {
            @Override
            public void onData(byte[] data) {
                got.add(data);
            }

            @Override
            public void onClosed(String reason) {
            }
        });
        byte[] scratch = {1, 2, 3, 4, 5};
        p.a().send(scratch, 0, 2);
        scratch[0] = 7;
        p.a().send(scratch, 3, 2);
        scratch[3] = 8;
        s.runUntilIdle();
        assertEquals(2, got.size());
        assertArrayEquals(new byte[] {1, 2}, got.get(0));
        assertArrayEquals(new byte[] {4, 5}, got.get(1));
    }
}
