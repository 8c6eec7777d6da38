package org.onionpeer.e2e;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A C tor exit's own record of its congestion control: at info level in the circ domain (TorNetwork's extra.log)
 * tor logs one "CC: TOR_VEGAS RTT: min, ewma, max, CWND: .., INFL: .., VBDP: .., QUSE: .., BWE: .., SS: .." line
 * per SENDME it processes (congestion_control_vegas.c, RTT in ms, windows in cells). Read between two marks, it
 * tells what window and RTT the exit ran a client's circuits at: the exit's Vegas, not the client, sets the rate of a
 * download, at about cwnd x 498 bytes per RTT on each leg. INFL is logged before the SENDME's cells are taken off:
 * close to CWND when the exit kept the leg's window full (the window, so the RTT, set the rate), well below it when
 * the exit had less to send than the window allowed.
 */
final class ExitVegasLog {
    private static final Pattern LINE = Pattern.compile(
            "TOR_VEGAS (?:Onion Circuit \\d+ )?RTT: (\\d+), (\\d+), (\\d+), CWND: (\\d+), INFL: (\\d+), .*QUSE: (\\d+)");

    /** One SENDME's state at the exit. */
    static final class Line {
        final int minRttMs;
        final int ewmaRttMs;
        final int cwnd;
        final int inflight;
        final int queue;

        Line(int minRttMs, int ewmaRttMs, int cwnd, int inflight, int queue) {
            this.minRttMs = minRttMs;
            this.ewmaRttMs = ewmaRttMs;
            this.cwnd = cwnd;
            this.inflight = inflight;
            this.queue = queue;
        }
    }

    private final Path file;

    ExitVegasLog(Path file) {
        this.file = file;
    }

    /** Where the log ends now. */
    long mark() {
        try {
            return Files.exists(file) ? Files.size(file) : 0;
        } catch (IOException e) {
            return 0;
        }
    }

    /** The Vegas lines written since {@code mark} (tor writes whole lines; a partial last one is left out). */
    List<Line> since(long mark) {
        List<Line> out = new ArrayList<>();
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            long len = f.length();
            if (len <= mark) {
                return out;
            }
            byte[] b = new byte[(int) Math.min(len - mark, 256L << 20)];
            f.seek(mark);
            f.readFully(b);
            for (String l : new String(b, StandardCharsets.ISO_8859_1).split("\n")) {
                Matcher m = LINE.matcher(l);
                // tor logs an RTT it has not measured yet as UINT64_MAX: such a line says nothing of the window.
                if (m.find() && m.group(1).length() < 10 && m.group(2).length() < 10 && m.group(4).length() < 10
                        && m.group(5).length() < 10 && m.group(6).length() < 10) {
                    out.add(new Line(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)),
                            Integer.parseInt(m.group(4)), Integer.parseInt(m.group(5)), Integer.parseInt(m.group(6))));
                }
            }
        } catch (IOException e) {
            return out;
        }
        return out;
    }

    /**
     * "N SENDMEs (x/s), cwnd median C cells, in flight median p% of it, RTT min/ewma median a/b ms, queue estimate
     * median q cells", or none.
     */
    static String summary(List<Line> lines, long wallNanos) {
        if (lines.isEmpty()) {
            return "no lines (no congestion control at the exit)";
        }
        int n = lines.size();
        int[] cwnd = new int[n];
        int[] min = new int[n];
        int[] ewma = new int[n];
        int[] queue = new int[n];
        int[] full = new int[n];
        for (int i = 0; i < n; i++) {
            Line l = lines.get(i);
            cwnd[i] = l.cwnd;
            full[i] = (int) (100L * l.inflight / Math.max(1, l.cwnd));
            min[i] = l.minRttMs;
            ewma[i] = l.ewmaRttMs;
            queue[i] = l.queue;
        }
        return String.format(Locale.ROOT, "%d SENDMEs (%.0f/s), cwnd median %d cells, in flight median %d%% of it,"
                + " RTT min/ewma median %d/%d ms, queue estimate median %d cells", n,
                n / Math.max(1e-9, wallNanos / 1e9), median(cwnd), median(full), median(min), median(ewma),
                median(queue));
    }

    private static int median(int[] a) {
        int[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }
}
