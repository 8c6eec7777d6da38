package org.onionpeer.bench;

/**
 * One benchmark row's work, platform-neutral so the JVM bench and the TeaVM-compiled JavaScript bench
 * (org.onionpeer.browser.BenchMain) time exactly the same code. The platforms own the clocks and the
 * warm-up/median policy; a workload only does operations.
 */
public interface Workload {
    /** The row label, e.g. "relay layer 509B cells / tuned". */
    String name();

    /** The unit a rate is printed in, e.g. "MB/s" or "handshakes/s". */
    String unit();

    /** How many units one operation is worth (509e-6 MB per cell, 1 per handshake). */
    double unitsPerOp();

    /** Does {@code ops} operations. */
    void run(int ops);

    /** Anything worth printing next to the figure (e.g. where a keystream came from); empty by default. */
    default String note() {
        return "";
    }
}
