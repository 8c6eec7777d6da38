package org.onionpeer.circuit;

import java.util.ArrayDeque;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * The sending side of a congestion-controlled circuit hop: TOR_VEGAS (proposal 324 §3.3, as tor's
 * congestion_control_vegas.c runs it), with the RTT estimator of §2.1 and the cwnd BDP estimator of §3.1.2.
 *
 * <p>The sender may have {@link #cwnd} DATA cells in flight. Every {@code sendme_inc}-th cell sent is
 * remembered with the time it left and the running digest after it (authenticated SENDME v1); the SENDME
 * that acknowledges it gives one RTT sample. From the samples: an N-EWMA RTT (N = 2 in slow start, else
 * {@code ewma_cwnd_pct} of the acks per window, at most {@code ewma_max}), its minimum, and
 * BDP = cwnd * RTT_min / RTT_ewma; queue_use = cwnd - BDP is the cells Vegas believes wait in queues. In slow
 * start the window grows each ack while the queue stays under gamma (and the window was used); then once per
 * window it shrinks above beta (or while our link is blocked), jumps down above delta, and grows below alpha.
 *
 * <p>Time is whatever monotonic microsecond clock the caller passes (the node's scheduler). A zero RTT is a
 * stalled clock and a jump of 100x either way (after slow start) a broken one: tor then skips the update but
 * still counts the ack, and so do we. Single-threaded, like the circuit that owns it.
 */
public final class Vegas {
    private static final int CLOCK_RATIO_MAX = 100;

    private final CcParams p;
    private final int sendmeInc;

    private long cwnd;
    private long inflight;
    private boolean inSlowStart = true;
    private boolean cwndFull;
    private int nextCcEvent;
    private int nextCwndEvent;
    private long minRtt;
    private long ewmaRtt;
    private long maxRtt;
    private long bdp;
    private boolean blocked;
    private boolean clockBroken;
    private final ArrayDeque<long[]> pendingTimes = new ArrayDeque<>();
    private final ArrayDeque<byte[]> pendingDigests = new ArrayDeque<>();

    public Vegas(CcParams params, int sendmeInc) {
        if (sendmeInc < 1) {
            throw new IllegalArgumentException("sendme_inc " + sendmeInc);
        }
        this.p = params;
        this.sendmeInc = sendmeInc;
        this.cwnd = params.cwndInit;
        this.nextCcEvent = updateRate();
        this.nextCwndEvent = sendmesPerCwnd();
    }

    public CcParams params() {
        return p;
    }

    public int sendmeInc() {
        return sendmeInc;
    }

    public boolean canSend() {
        return inflight < cwnd;
    }

    /** Cells that may still go: cwnd - inflight (0 when a smaller cwnd left more in flight). */
    public long packageWindow() {
        return Math.max(0, cwnd - inflight);
    }

    /** True when the next DATA cell is one the peer's SENDME will acknowledge (its digest is needed). */
    public boolean nextSendNeedsDigest() {
        return (inflight + 1) % sendmeInc == 0;
    }

    /**
     * One DATA cell sent at {@code nowMicros}; {@code digestAfter} (20 bytes) is read only when
     * {@link #nextSendNeedsDigest} said so.
     */
    public void sent(byte[] digestAfter, long nowMicros) {
        if (inflight >= cwnd) {
            throw new IllegalStateException("congestion window full");
        }
        inflight++;
        if (inflight % sendmeInc == 0) {
            pendingTimes.add(new long[] {nowMicros});
            pendingDigests.add(Bytes.slice(digestAfter, 0, Window.DIGEST_LEN));
        }
    }

    /**
     * A SENDME arrived at {@code nowMicros} with v1 digest {@code digest}. {@code linkBlocked}: our link toward
     * the peer holds more than it should (tor's blocked orconn), a congestion signal of its own.
     *
     * @throws ProtocolException when it acknowledges nothing we sent, or carries the wrong digest
     */
    public void sendmeReceived(byte[] digest, long nowMicros, boolean linkBlocked) {
        byte[] want = pendingDigests.poll();
        long[] sentAt = pendingTimes.poll();
        if (want == null) {
            throw new ProtocolException("unexpected SENDME: nothing in flight to acknowledge");
        }
        if (digest == null || digest.length < Window.DIGEST_LEN
                || !Bytes.constantTimeEquals(want, 0, digest, 0, Window.DIGEST_LEN)) {
            throw new ProtocolException("SENDME digest does not match the data we sent");
        }
        if (nextCcEvent > 0) {
            nextCcEvent--;
        }
        if (nextCwndEvent > 0) {
            nextCwndEvent--;
        }
        if (!updateEstimates(nowMicros - sentAt[0], linkBlocked)) {
            inflight -= sendmeInc;
            return;
        }
        long queueUse = bdp > cwnd ? 0 : cwnd - bdp;
        if (inflight + (long) p.cwndFullGap * sendmeInc >= cwnd) {
            cwndFull = true;
        } else if (100 * inflight < (long) p.cwndFullMinPct * cwnd) {
            cwndFull = false;
        }
        if (inSlowStart) {
            if (queueUse < p.vegasGamma && !blocked) {
                if (cwndFull) {
                    long inc = slowStartIncrement();
                    cwnd += inc;
                    if (inc * sendmesPerCwnd() <= (long) p.cwndInc * p.cwndIncRate) {
                        inSlowStart = false;
                    }
                }
            } else {
                cwnd = bdp + p.vegasGamma;
                inSlowStart = false;
            }
            if (cwnd >= p.ssMax) {
                cwnd = p.ssMax;
                inSlowStart = false;
            }
        } else if (nextCcEvent == 0) {
            if (queueUse > p.vegasDelta) {
                cwnd = bdp + p.vegasDelta - p.cwndInc;
            } else if (queueUse > p.vegasBeta || blocked) {
                cwnd -= p.cwndInc;
            } else if (cwndFull && queueUse < p.vegasAlpha) {
                cwnd += p.cwndInc;
            }
            cwnd = Math.max(cwnd, p.cwndMin);
        }
        cwnd = Math.min(cwnd, p.cwndMax);
        if (nextCwndEvent == 0) {
            nextCwndEvent = sendmesPerCwnd();
        }
        if (nextCcEvent == 0) {
            nextCcEvent = updateRate();
        }
        if (p.cwndFullPerCwnd ? nextCwndEvent == sendmesPerCwnd() : nextCcEvent == updateRate()) {
            cwndFull = false;
        }
        inflight -= sendmeInc;
    }

    /** RTT then BDP (tor's congestion_control_update_circuit_estimates); false: the clock is not to be trusted. */
    private boolean updateEstimates(long rtt, boolean linkBlocked) {
        if (stalledOrJumped(rtt)) {
            return false;
        }
        long n = inSlowStart ? p.ewmaSs : Math.min((long) p.ewmaCwndPct * sendmesPerCwnd() / 100, p.ewmaMax);
        n = Math.max(n, 2);
        ewmaRtt = ewmaRtt == 0 ? rtt : (2 * rtt + (n - 1) * ewmaRtt) / (n + 1);
        maxRtt = Math.max(maxRtt, rtt);
        if (minRtt == 0) {
            minRtt = ewmaRtt;
        } else if (cwnd == p.cwndMin && !inSlowStart) {
            // At the floor the minimum may be stale (ack compression, a path that got slower): let it rise.
            minRtt = (p.rttResetPct * ewmaRtt + (100 - p.rttResetPct) * minRtt) / 100;
        } else if (ewmaRtt < minRtt) {
            minRtt = ewmaRtt;
        }
        bdp = cwnd * minRtt / ewmaRtt;
        blocked = linkBlocked;
        return true;
    }

    private boolean stalledOrJumped(long rtt) {
        if (rtt <= 0) {
            clockBroken = true;
            return true;
        }
        if (ewmaRtt == 0 || inSlowStart) {
            return clockBroken;
        }
        clockBroken = ewmaRtt > rtt * CLOCK_RATIO_MAX || rtt > ewmaRtt * CLOCK_RATIO_MAX;
        return clockBroken;
    }

    /** RFC 3742 limited slow start (tor's rfc3742_ss_inc). */
    private long slowStartIncrement() {
        if (cwnd <= p.ssCap) {
            return ((long) p.cwndIncPctSs * sendmeInc + 50) / 100;
        }
        return Math.max(((long) sendmeInc * p.ssCap + cwnd) / (2 * cwnd), 1);
    }

    private int sendmesPerCwnd() {
        return (int) ((cwnd + sendmeInc / 2) / sendmeInc);
    }

    private int updateRate() {
        if (inSlowStart) {
            return 1;
        }
        long per = (long) p.cwndIncRate * sendmeInc;
        return (int) ((cwnd + per / 2) / per);
    }

    public long cwnd() {
        return cwnd;
    }

    public long inflight() {
        return inflight;
    }

    public boolean inSlowStart() {
        return inSlowStart;
    }

    public long minRttMicros() {
        return minRtt;
    }

    public long ewmaRttMicros() {
        return ewmaRtt;
    }

    public long bdp() {
        return bdp;
    }

    @Override
    public String toString() {
        return "Vegas[cwnd " + cwnd + " inflight " + inflight + (inSlowStart ? " slow-start" : "") + " rtt "
                + minRtt + "/" + ewmaRtt + " us bdp " + bdp + "]";
    }
}
