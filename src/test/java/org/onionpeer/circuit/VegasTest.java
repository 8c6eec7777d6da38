package org.onionpeer.circuit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;

/**
 * TOR_VEGAS (proposal 324 §3.3) on known traces, with tor's default parameters (sendme_inc 31, cwnd_init 124,
 * gamma 186, ...): a sender that always fills its window, and SENDMEs whose round-trip time the test sets, so
 * every expected window below is worked out by hand from the formulas in {@link Vegas}.
 */
class VegasTest {
    private static final int INC = 31;

    /** Fills the window, then acknowledges the oldest batch of sendme_inc cells after a chosen RTT. */
    static final class Driver {
        final Vegas v;
        final ArrayDeque<Long> sentAt = new ArrayDeque<>();
        final ArrayDeque<byte[]> digests = new ArrayDeque<>();
        long now = 1_000_000;
        long seq;

        Driver(CcParams p) {
            v = new Vegas(p, INC);
        }

        void fill() {
            while (v.canSend()) {
                boolean needs = v.nextSendNeedsDigest();
                byte[] d = digest(++seq);
                v.sent(d, now);
                if (needs) {
                    sentAt.add(now);
                    digests.add(d);
                }
            }
        }

        /** The peer acknowledges the oldest batch {@code rtt} microseconds after it left; returns cwnd after. */
        long ack(long rtt, boolean blocked) {
            long at = sentAt.poll() + rtt;
            now = Math.max(now, at);
            v.sendmeReceived(digests.poll(), at, blocked);
            return v.cwnd();
        }

        /** Fill, ack once with {@code rtt}. */
        long step(long rtt) {
            fill();
            return ack(rtt, false);
        }
    }

    static byte[] digest(long n) {
        byte[] d = new byte[Window.DIGEST_LEN];
        for (int i = 0; i < 8; i++) {
            d[i] = (byte) (n >>> (8 * i));
        }
        return d;
    }

    @Test
    void slowStartGrowsOneIncrementPerAckThenByRfc3742AboveTheCapUntilSsMax() {
        Driver d = new Driver(CcParams.defaults());
        assertEquals(124, d.v.cwnd());
        List<Long> trace = new ArrayList<>();
        for (int i = 0; i < 18; i++) {
            trace.add(d.step(10_000));
        }
        // 124 + 31 per ack while cwnd <= cc_sscap_exit (600); then (31*600 + cwnd) / (2*cwnd): 620 -> +15 -> 635,
        // 635 -> (18600+635)/1270 = 15 -> 650.
        assertEquals(List.of(155L, 186L, 217L, 248L, 279L, 310L, 341L, 372L, 403L, 434L, 465L, 496L, 527L, 558L,
                589L, 620L, 635L, 650L), trace);
        assertTrue(d.v.inSlowStart());
        for (int i = 0; i < 20_000 && d.v.inSlowStart(); i++) {
            d.step(10_000);
        }
        assertFalse(d.v.inSlowStart());
        assertEquals(5000, d.v.cwnd(), "the constant RTT never signals a queue: slow start ends at cc_ss_max");
    }

    @Test
    void aQueueBuildingUpEndsSlowStartAtBdpPlusGamma() {
        Driver d = new Driver(CcParams.defaults());
        assertEquals(155, d.step(10_000));
        assertEquals(186, d.step(10_000));
        assertEquals(217, d.step(10_000));
        // ewma (N=2 in slow start) = (2*20000 + 10000)/3 = 16666; bdp = 217*10000/16666 = 130; queue 87 < gamma
        assertEquals(248, d.step(20_000));
        assertEquals(16_666, d.v.ewmaRttMicros());
        assertEquals(130, d.v.bdp());
        // ewma = (80000 + 16666)/3 = 32222; bdp = 248*10000/32222 = 76; queue 172 < 186: still growing
        assertEquals(279, d.step(40_000));
        // ewma = (80000 + 32222)/3 = 37407; bdp = 279*10000/37407 = 74; queue 205 >= 186: cwnd = 74 + 186
        assertEquals(260, d.step(40_000));
        assertFalse(d.v.inSlowStart());
        assertEquals(10_000, d.v.minRttMicros());
    }

    @Test
    void steadyStateGrowsBelowAlphaShrinksAboveBetaAndJumpsAboveDelta() {
        Driver d = new Driver(CcParams.defaults());
        d.step(10_000);
        d.step(10_000);
        d.step(10_000);
        d.step(20_000);
        d.step(40_000);
        assertEquals(260, d.step(40_000));
        // Steady state, cwnd 260: tor updates every (260 + 480)/961 = 0 -> every SENDME. The EWMA now uses
        // N = max(2, min(50% of 8 acks per cwnd, 10)) = 4: ewma = (2*rtt + 3*ewma)/5.
        // A short RTT: ewma = (20000 + 3*37407)/5 = 26444; bdp = 260*10000/26444 = 98; queue 162 <= beta 248,
        // < alpha 186 and the window was full: +1.
        assertEquals(261, d.step(10_000));
        assertEquals(26_444, d.v.ewmaRttMicros());
        // RTT 60 ms: ewma = (120000 + 3*26444)/5 = 39866; bdp = 261*10000/39866 = 65; queue 196: between alpha and
        // beta, no change.
        assertEquals(261, d.step(60_000));
        // RTT 100 ms: ewma = (200000 + 3*39866)/5 = 63919; bdp = 40; queue 221 <= beta: no change.
        assertEquals(261, d.step(100_000));
        // RTT 200 ms: ewma = (400000 + 3*63919)/5 = 118351; bdp = 22; queue 239 <= 248: no change.
        assertEquals(261, d.step(200_000));
        // RTT 400 ms: ewma = (800000 + 3*118351)/5 = 231010; bdp = 11; queue 250 > beta: -1.
        assertEquals(260, d.step(400_000));
        // Above delta (310) the window drops to bdp + delta - inc at once: build a bigger window first.
        Driver big = new Driver(CcParams.fromConsensus(Map.of("cc_ss_max", 600)));
        while (big.v.inSlowStart()) {
            big.step(10_000);
        }
        assertEquals(600, big.v.cwnd(), "cc_ss_max from the consensus ends slow start");
        // N = min(50% of 19 acks, 10) = 9: ewma = (2*1000000 + 8*10000)/10 = 208000; bdp = 600*10000/208000 = 28;
        // queue 572 > delta 310: cwnd = 28 + 310 - 1.
        assertEquals(337, big.step(1_000_000));
    }

    @Test
    void aBlockedLinkIsACongestionSignal() {
        Driver d = new Driver(CcParams.defaults());
        d.fill();
        // In slow start: out at once, cwnd = bdp (124 at a steady RTT) + gamma.
        assertEquals(124 + 186, d.ack(10_000, true));
        assertFalse(d.v.inSlowStart());
        // In steady state: -cwnd_inc per update while blocked, even with no queue measured.
        d.fill();
        assertEquals(309, d.ack(10_000, true));
    }

    @Test
    void theWindowNeverFallsBelowCwndMin() {
        Driver d = new Driver(CcParams.fromConsensus(Map.of("cc_cwnd_min", 124)));
        d.fill();
        d.ack(10_000, true); // out of slow start at 310
        for (int i = 0; i < 400; i++) {
            d.fill();
            d.ack(10_000, true);
        }
        assertEquals(124, d.v.cwnd());
    }

    @Test
    void aStalledClockChangesNothingButTheAcknowledgedCells() {
        Driver d = new Driver(CcParams.defaults());
        d.fill();
        long inflight = d.v.inflight();
        assertEquals(124, d.ack(0, false), "an RTT of 0 is a stalled clock: no update");
        assertEquals(inflight - INC, d.v.inflight());
        assertEquals(0, d.v.ewmaRttMicros());
    }

    @Test
    void sendmesMustAcknowledgeWhatWasSentWithItsDigest() {
        Vegas v = new Vegas(CcParams.defaults(), INC);
        ProtocolException none = assertThrows(ProtocolException.class,
                () -> v.sendmeReceived(digest(1), 1, false));
        assertEquals("unexpected SENDME: nothing in flight to acknowledge", none.getMessage());
        for (int i = 1; i <= INC; i++) {
            v.sent(digest(i), 0);
        }
        ProtocolException wrong = assertThrows(ProtocolException.class,
                () -> v.sendmeReceived(digest(7), 1, false));
        assertEquals("SENDME digest does not match the data we sent", wrong.getMessage());
    }

    @Test
    void consensusValuesOutOfRangeKeepTorsDefaults() {
        CcParams p = CcParams.fromConsensus(Map.of("cc_sendme_inc", 0, "cc_vegas_alpha_exit", 1001,
                "cc_cwnd_init", 200, "cc_alg", 0));
        assertEquals(31, p.sendmeInc);
        assertEquals(186, p.vegasAlpha);
        assertEquals(200, p.cwndInit);
        assertFalse(p.enabled(), "cc_alg=0: no congestion control");
        assertTrue(CcParams.defaults().enabled());
    }
}
