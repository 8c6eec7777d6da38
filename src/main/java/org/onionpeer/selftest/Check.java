package org.onionpeer.selftest;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;

/**
 * Collects the outcome of known-answer checks. Every check records the bytes it actually produced, so the
 * JVM and the TeaVM-compiled JavaScript reports can be compared byte for byte, not only pass/fail.
 */
public final class Check {
    /** One check: its name, whether it held, and what was produced (hex) or why it failed. */
    public static final class Result {
        public final String name;
        public final boolean passed;
        public final String produced;

        Result(String name, boolean passed, String produced) {
            this.name = name;
            this.passed = passed;
            this.produced = produced;
        }

        @Override
        public String toString() {
            return (passed ? "PASS " : "FAIL ") + name + " " + produced;
        }
    }

    private final List<Result> results = new ArrayList<>();
    private String suite = "";

    void suite(String name) {
        suite = name;
    }

    /** Passes when {@code actual} equals the published {@code expectedHex}. */
    public void bytes(String name, String expectedHex, byte[] actual) {
        String got = Bytes.hex(actual);
        String want = Bytes.hex(Bytes.unhex(expectedHex));
        results.add(new Result(suite + "/" + name, got.equals(want), got));
    }

    /** A property that must hold (round trips, rejections); {@code produced} is any output worth comparing. */
    public void that(String name, boolean ok, String produced) {
        results.add(new Result(suite + "/" + name, ok, produced));
    }

    /** Passes when running {@code body} throws; records the exception's simple type name. */
    public void rejects(String name, Runnable body) {
        try {
            body.run();
            results.add(new Result(suite + "/" + name, false, "accepted"));
        } catch (RuntimeException e) {
            results.add(new Result(suite + "/" + name, true, "rejected:" + simpleName(e)));
        }
    }

    void crashed(Throwable t) {
        results.add(new Result(suite + "/(suite crashed)", false, simpleName(t) + ": " + t.getMessage()));
    }

    private static String simpleName(Throwable t) {
        String n = t.getClass().getName();
        return n.substring(n.lastIndexOf('.') + 1);
    }

    public List<Result> results() {
        return results;
    }

    public int failures() {
        int n = 0;
        for (Result r : results) {
            if (!r.passed) {
                n++;
            }
        }
        return n;
    }

    /** One line a check, then "N passed, M failed": the same text on every platform. */
    public String report() {
        StringBuilder sb = new StringBuilder();
        for (Result r : results) {
            sb.append(r).append('\n');
        }
        sb.append(results.size() - failures()).append(" passed, ").append(failures()).append(" failed\n");
        return sb.toString();
    }
}
