package org.onionpeer.netdoc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.circuit.CcParams;

/** The consensus "params" line (dir-spec §3.4.1) and the congestion control parameters read from it. */
class ConsensusParamsTest {
    private static Map<String, Integer> parse(String line) {
        return Consensus.params(NetDoc.tokenize(line + "\n", 10).get(0));
    }

    @Test
    void parsesSortedKeywordIntegerPairs() {
        Map<String, Integer> p = parse("params cc_alg=2 cc_cwnd_min=124 cc_sendme_inc=31 cc_vegas_alpha_exit=186"
                + " circwindow=1000 min_paths_for_circs_pct=-5");
        assertEquals(Map.of("cc_alg", 2, "cc_cwnd_min", 124, "cc_sendme_inc", 31, "cc_vegas_alpha_exit", 186,
                "circwindow", 1000, "min_paths_for_circs_pct", -5), p);
        CcParams cc = CcParams.fromConsensus(p);
        assertEquals(186, cc.vegasAlpha);
        assertEquals(248, cc.vegasBeta, "absent: tor's default");
    }

    @Test
    void refusesWhatTorRefuses() {
        assertEquals("consensus: params keyword a out of order",
                assertThrows(ProtocolException.class, () -> parse("params b=1 a=2")).getMessage());
        assertEquals("consensus: params entry \"cc_alg\" is not Keyword=Int32",
                assertThrows(ProtocolException.class, () -> parse("params cc_alg")).getMessage());
        assertEquals("consensus: params x: bad number",
                assertThrows(ProtocolException.class, () -> parse("params x=1.5")).getMessage());
        assertEquals(Map.of(), parse("params"));
    }
}
