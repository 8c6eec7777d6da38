package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bench's reader of a C tor exit's Vegas log lines (tor 0.4.9's congestion_control_vegas_log). */
class ExitVegasLogTest {
    @Test
    void readsEachSendmeLineAndSkipsOnesWithAnUnmeasuredRtt(@TempDir Path dir) throws Exception {
        Path log = dir.resolve("extra.log");
        Files.writeString(log, "Dec 07 08:06:40.000 [info] circuit_build_times: other line\n"
                + "Dec 07 08:06:41.000 [info] congestion_control_vegas_log(): TOR_VEGAS Onion Circuit 3 RTT: 9, 23, 7,"
                + " CWND: 362, INFL: 300, VBDP: 150, QUSE: 212, BWE: 0, SS: 0\n"
                + "Dec 07 08:06:41.000 [info] congestion_control_vegas_log(): TOR_VEGAS RTT: 18446744073709551615, 0, 0,"
                + " CWND: 124, INFL: 0, VBDP: 0, QUSE: 0, BWE: 0, SS: 1\n");
        ExitVegasLog v = new ExitVegasLog(log);
        List<ExitVegasLog.Line> lines = v.since(0);
        assertEquals(1, lines.size());
        assertEquals(9, lines.get(0).minRttMs);
        assertEquals(23, lines.get(0).ewmaRttMs);
        assertEquals(362, lines.get(0).cwnd);
        assertEquals(300, lines.get(0).inflight);
        assertEquals(212, lines.get(0).queue);
        assertEquals(0, v.since(v.mark()).size());
        assertEquals("1 SENDMEs (2/s), cwnd median 362 cells, in flight median 82% of it, RTT min/ewma median 9/23 ms,"
                + " queue estimate median 212 cells", ExitVegasLog.summary(lines, 500_000_000L));
    }
}
