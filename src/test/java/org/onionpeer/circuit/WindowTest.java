package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;

class WindowTest {
    private static byte[] digest(int n) {
        byte[] d = new byte[20];
        d[0] = (byte) n;
        d[1] = (byte) (n >> 8);
        return d;
    }

    @Test
    void circuitWindowStopsAt1000AndReopensPer100WithMatchingDigests() {
        Window w = Window.circuit();
        for (int i = 1; i <= 1000; i++) {
            assertTrue(w.canSend());
            assertEquals(i % 100 == 0, w.nextSendNeedsDigest());
            w.sent(w.nextSendNeedsDigest() ? digest(i) : null);
        }
        assertFalse(w.canSend());
        w.sendmeReceived(digest(100));
        assertEquals(100, w.packageWindow());
        assertThrows(ProtocolException.class, () -> w.sendmeReceived(digest(999)), "wrong digest");
    }

    @Test
    void sendmeThatAcknowledgesNothingIsRefused() {
        Window w = Window.circuit();
        assertThrows(ProtocolException.class, () -> w.sendmeReceived(digest(100)));
        Window s = Window.stream();
        assertThrows(ProtocolException.class, () -> s.sendmeReceived(null));
    }

    @Test
    void v0SendmeOnACircuitIsRefused() {
        Window w = Window.circuit();
        for (int i = 1; i <= 100; i++) {
            w.sent(w.nextSendNeedsDigest() ? digest(i) : null);
        }
        assertThrows(ProtocolException.class, () -> w.sendmeReceived(null));
    }

    @Test
    void receiverAcknowledgesEveryIncrement() {
        Window w = Window.stream();
        int sendmes = 0;
        for (int i = 1; i <= 5000; i++) {
            w.delivered();
            if (w.sendmeDue()) {
                w.sendmeSent();
                sendmes++;
            }
        }
        assertEquals(100, sendmes);
        assertEquals(500, w.deliverWindow());
    }

    @Test
    void senderThatIgnoresTheWindowIsCaught() {
        Window w = Window.stream(); // the consumer never drains: no SENDME goes out
        for (int i = 0; i < 500; i++) {
            w.delivered();
        }
        assertThrows(ProtocolException.class, w::delivered);
    }

    @Test
    void endToEndSenderAndReceiverAgree() {
        Window sender = Window.circuit();
        Window receiver = Window.circuit();
        int cells = 0;
        while (sender.canSend() && cells < 20_000) {
            cells++;
            byte[] d = digest(cells);
            sender.sent(sender.nextSendNeedsDigest() ? d : null);
            receiver.delivered();
            if (receiver.sendmeDue()) {
                receiver.sendmeSent();
                sender.sendmeReceived(d);
            }
        }
        assertEquals(20_000, cells, "flow never stalls when SENDMEs come back");
    }
}
