package org.onionpeer.circuit;

import java.util.ArrayDeque;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * SENDME flow control for one direction of a circuit or stream (tor-spec §7.4, prop289). Only DATA cells
 * count. The receiving end sends a SENDME after every {@code increment} DATA cells it delivered; the
 * sending end may have at most {@code start} unacknowledged DATA cells in flight.
 *
 * <p>Circuit-level SENDMEs are authenticated (version 1): each carries the running relay digest right
 * after the DATA cell that triggered it, which only a receiver that really got that cell can know. The
 * sender records that digest for every {@code increment}-th cell it sends and checks the SENDMEs in order;
 * a SENDME that acknowledges nothing, or carries the wrong digest, is a protocol violation.
 */
public final class Window {
    public static final int CIRCUIT_START = 1000;
    public static final int CIRCUIT_INCREMENT = 100;
    public static final int STREAM_START = 500;
    public static final int STREAM_INCREMENT = 50;
    public static final int DIGEST_LEN = 20;

    private final int start;
    private final int increment;

    /** Our sending: a fixed window, or Vegas when congestion control was negotiated. Chosen once. */
    private final Sender sender;

    private int deliverWindow;

    /** What a Vegas sender needs from its circuit: the time, and whether our link toward the peer is backed up. */
    public interface Signals {
        long nowMicros();

        boolean linkBlocked();
    }

    /** Package-private for tests that play a sender with a larger window (an exit's congestion window). */
    Window(int start, int increment, boolean authenticated) {
        if (increment < 1 || start < increment) {
            throw new IllegalArgumentException("window " + start + " with increment " + increment);
        }
        this.start = start;
        this.increment = increment;
        this.deliverWindow = start;
        this.sender = new FixedSender(start, increment, authenticated);
    }

    private Window(Vegas vegas, Signals signals) {
        this.start = CIRCUIT_START;
        this.increment = vegas.sendmeInc();
        this.deliverWindow = CIRCUIT_START;
        this.sender = new VegasSender(vegas, signals);
    }

    /**
     * A circuit window toward a hop that negotiated congestion control, sending under {@code vegas} (its
     * congestion window, its SENDME digests and RTT samples) and receiving as {@link #congestionControl} does.
     */
    public static Window vegas(Vegas vegas, Signals signals) {
        return new Window(vegas, signals);
    }

    /** The sender's Vegas state, or null for a fixed window. */
    public Vegas vegasState() {
        return sender.vegas();
    }

    public static Window circuit() {
        return new Window(CIRCUIT_START, CIRCUIT_INCREMENT, true);
    }

    /**
     * The circuit window toward and from a hop that negotiated congestion control (prop324 §2.2, §10): still
     * authenticated SENDMEs (v1) and only DATA cells counted, but one SENDME per {@code sendmeInc} DATA cells
     * (the negotiated cc_sendme_inc) instead of per 100. As receiver we acknowledge at once, as tor does
     * (sendme_circuit_consider_sending: deliver window {@literal <=} 1000 - sendme_inc), so the deliver window
     * never falls below 1000 - sendme_inc however large the sender's congestion window is. As sender we keep
     * a fixed window of {@link #CIRCUIT_START} cells, credited {@code sendmeInc} cells per SENDME.
     */
    public static Window congestionControl(int sendmeInc) {
        return new Window(CIRCUIT_START, sendmeInc, true);
    }

    /** How many DATA cells one SENDME acknowledges. */
    public int increment() {
        return increment;
    }

    public static Window stream() {
        return new Window(STREAM_START, STREAM_INCREMENT, false);
    }

    // ---- sending ---------------------------------------------------------------------------------------

    public boolean canSend() {
        return sender.canSend();
    }

    public int packageWindow() {
        return sender.packageWindow();
    }

    /**
     * Records one DATA cell sent. {@code digestAfter} is the 20-byte running digest right after that cell
     * (read only when this cell is one a SENDME will acknowledge; may be null for stream windows).
     */
    public void sent(byte[] digestAfter) {
        sender.sent(digestAfter);
    }

    /** True when the DATA cell about to be sent is one whose digest must be recorded. */
    public boolean nextSendNeedsDigest() {
        return sender.nextSendNeedsDigest();
    }

    /**
     * A SENDME arrived. {@code digest} is its v1 digest (null for a v0 SENDME, refused on authenticated
     * windows). Throws ProtocolException when it acknowledges nothing or does not match.
     */
    public void sendmeReceived(byte[] digest) {
        sender.sendmeReceived(digest);
    }

    /** The sending side of a window, one implementation per mode (as the methods above describe them). */
    private interface Sender {
        boolean canSend();

        int packageWindow();

        void sent(byte[] digestAfter);

        boolean nextSendNeedsDigest();

        void sendmeReceived(byte[] digest);

        /** The Vegas state behind it, or null. */
        Vegas vegas();
    }

    /**
     * A fixed window (tor-spec §7.4): at most {@code start} unacknowledged DATA cells, credited {@code increment}
     * per SENDME; authenticated, it records the digest after every {@code increment}-th cell and checks the
     * SENDMEs against them in order (prop289).
     */
    private static final class FixedSender implements Sender {
        private final int start;
        private final int increment;
        private final boolean authenticated;
        private int packageWindow;
        private long sent;
        private final ArrayDeque<byte[]> expected = new ArrayDeque<>();

        FixedSender(int start, int increment, boolean authenticated) {
            this.start = start;
            this.increment = increment;
            this.authenticated = authenticated;
            this.packageWindow = start;
        }

        @Override
        public boolean canSend() {
            return packageWindow > 0;
        }

        @Override
        public int packageWindow() {
            return packageWindow;
        }

        @Override
        public void sent(byte[] digestAfter) {
            if (packageWindow <= 0) {
                throw new IllegalStateException("package window empty");
            }
            packageWindow--;
            sent++;
            if (authenticated && sent % increment == 0) {
                expected.add(digestAfter.clone());
            }
        }

        @Override
        public boolean nextSendNeedsDigest() {
            return authenticated && (sent + 1) % increment == 0;
        }

        @Override
        public void sendmeReceived(byte[] digest) {
            if (packageWindow + increment > start) {
                throw new ProtocolException("unexpected SENDME: window would exceed " + start);
            }
            if (authenticated) {
                byte[] want = expected.poll();
                if (want == null || digest == null || digest.length < DIGEST_LEN
                        || !Bytes.constantTimeEquals(want, 0, digest, 0, DIGEST_LEN)) {
                    throw new ProtocolException("SENDME digest does not match the data we sent");
                }
            }
            packageWindow += increment;
        }

        @Override
        public Vegas vegas() {
            return null;
        }
    }

    /** Sending under Vegas (prop324 §3.3): its congestion window, SENDME digests and RTT samples. */
    private static final class VegasSender implements Sender {
        private final Vegas vegas;
        private final Signals signals;

        VegasSender(Vegas vegas, Signals signals) {
            this.vegas = vegas;
            this.signals = signals;
        }

        @Override
        public boolean canSend() {
            return vegas.canSend();
        }

        @Override
        public int packageWindow() {
            return (int) Math.min(vegas.packageWindow(), Integer.MAX_VALUE);
        }

        @Override
        public void sent(byte[] digestAfter) {
            vegas.sent(digestAfter, signals.nowMicros());
        }

        @Override
        public boolean nextSendNeedsDigest() {
            return vegas.nextSendNeedsDigest();
        }

        @Override
        public void sendmeReceived(byte[] digest) {
            vegas.sendmeReceived(digest, signals.nowMicros(), signals.linkBlocked());
        }

        @Override
        public Vegas vegas() {
            return vegas;
        }
    }

    // ---- receiving -------------------------------------------------------------------------------------

    public int deliverWindow() {
        return deliverWindow;
    }

    /**
     * Records one DATA cell received. A peer that sends beyond what we acknowledged overruns the window:
     * a protocol violation, and the bound on what a stream can make us buffer.
     */
    public void delivered() {
        if (deliverWindow <= 0) {
            throw new ProtocolException("peer sent DATA beyond the flow-control window");
        }
        deliverWindow--;
    }

    /**
     * True when we should acknowledge with a SENDME now. Circuits acknowledge as soon as cells arrive
     * (with the running digest right after the cell that made it due); streams only once the local
     * consumer has drained what they delivered, so a slow reader throttles the sender instead of filling
     * our memory.
     */
    public boolean sendmeDue() {
        return deliverWindow <= start - increment;
    }

    /** Records the SENDME we just sent. */
    public void sendmeSent() {
        deliverWindow += increment;
    }
}
