package org.onionpeer.circuit;

import java.util.Collections;
import java.util.Map;

/**
 * Congestion control parameters (proposal 324 §6.5) for exit circuits: the consensus "params" values where a
 * consensus gives them, clamped to tor's ranges, else tor's defaults. The defaults are those tor 0.4.8+ runs
 * with (they match the live consensus: cwnd_init and cwnd_min 124, cwnd_inc 1 per 31 acks, Vegas exit
 * alpha/beta/gamma/delta 186/248/186/310 cells, ss cap 600); out-of-range values fall back to the default, as
 * tor's networkstatus_get_param does. Immutable.
 */
public final class CcParams {
    /** cc_alg values (prop324 §6.5.1): 0 fixed windows (no congestion control), 2 Vegas. */
    public static final int ALG_SENDME = 0;
    public static final int ALG_VEGAS = 2;

    public final int alg;
    public final int sendmeInc;
    public final int cwndInit;
    public final int cwndMin;
    public final int cwndMax;
    public final int cwndInc;
    public final int cwndIncRate;
    public final int cwndIncPctSs;
    public final int ewmaCwndPct;
    public final int ewmaMax;
    public final int ewmaSs;
    public final int rttResetPct;
    public final int vegasAlpha;
    public final int vegasBeta;
    public final int vegasGamma;
    public final int vegasDelta;
    public final int ssCap;
    public final int ssMax;
    public final int cwndFullGap;
    public final int cwndFullMinPct;
    public final boolean cwndFullPerCwnd;
    /** Stream flow control (prop324 §4.1): cells an endpoint may hold for a stream before XOFF. */
    public final int xoffClient;
    public final int xoffExit;
    /** cc_xon_rate: cells between the XONs an exit may send to advise a changed rate. */
    public final int xonRate;

    private CcParams(Map<String, Integer> p) {
        alg = get(p, "cc_alg", ALG_VEGAS, 0, 2);
        sendmeInc = get(p, "cc_sendme_inc", 31, 1, 254);
        cwndInit = get(p, "cc_cwnd_init", 4 * 31, 31, 10000);
        cwndMin = get(p, "cc_cwnd_min", 4 * 31, 31, 1000);
        cwndMax = get(p, "cc_cwnd_max", Integer.MAX_VALUE, 500, Integer.MAX_VALUE);
        cwndInc = get(p, "cc_cwnd_inc", 1, 1, 1000);
        cwndIncRate = get(p, "cc_cwnd_inc_rate", 31, 1, 250);
        cwndIncPctSs = get(p, "cc_cwnd_inc_pct_ss", 100, 1, 500);
        ewmaCwndPct = get(p, "cc_ewma_cwnd_pct", 50, 1, 255);
        ewmaMax = get(p, "cc_ewma_max", 10, 2, Integer.MAX_VALUE);
        ewmaSs = get(p, "cc_ewma_ss", 2, 2, Integer.MAX_VALUE);
        rttResetPct = get(p, "cc_rtt_reset_pct", 100, 0, 100);
        vegasAlpha = get(p, "cc_vegas_alpha_exit", 3 * 62, 0, 1000);
        vegasBeta = get(p, "cc_vegas_beta_exit", 4 * 62, 0, 1000);
        vegasGamma = get(p, "cc_vegas_gamma_exit", 3 * 62, 0, 1000);
        vegasDelta = get(p, "cc_vegas_delta_exit", 5 * 62, 0, Integer.MAX_VALUE);
        ssCap = get(p, "cc_sscap_exit", 600, 100, Integer.MAX_VALUE);
        ssMax = get(p, "cc_ss_max", 5000, 500, Integer.MAX_VALUE);
        cwndFullGap = get(p, "cc_cwnd_full_gap", 4, 0, Short.MAX_VALUE);
        cwndFullMinPct = get(p, "cc_cwnd_full_minpct", 25, 0, 100);
        cwndFullPerCwnd = get(p, "cc_cwnd_full_per_cwnd", 1, 0, 1) == 1;
        xoffClient = get(p, "cc_xoff_client", 500, 1, 10000);
        xoffExit = get(p, "cc_xoff_exit", 500, 1, 10000);
        xonRate = get(p, "cc_xon_rate", 500, 1, 5000);
    }

    /** tor's defaults (no consensus, or one without these parameters). */
    public static CcParams defaults() {
        return new CcParams(Collections.emptyMap());
    }

    /** From a consensus's "params" line ({@code org.onionpeer.netdoc.Consensus#params}). */
    public static CcParams fromConsensus(Map<String, Integer> params) {
        return new CcParams(params == null ? Collections.emptyMap() : params);
    }

    /** True when the consensus asks for congestion control (Vegas); tor negotiates nothing else. */
    public boolean enabled() {
        return alg == ALG_VEGAS;
    }

    private static int get(Map<String, Integer> p, String key, int dflt, int min, int max) {
        Integer v = p.get(key);
        return v == null || v < min || v > max ? dflt : v;
    }
}
