package org.onionpeer.dir;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.fuzz.Fuzzer;

class ProtoverTest {
    /** tor 0.4.9.11's own line, from a descriptor of the private network. */
    static final String TOR = "Conflux=1 Cons=1-2 Desc=1-4 DirCache=2 FlowCtrl=1-2 HSDir=2 HSIntro=4-5 HSRend=1-2"
            + " Link=3-5 LinkAuth=3 Microdesc=1-3 Padding=2 Relay=2-6";

    @Test
    void answersWhatTheLineLists() {
        Protover p = Protover.parse(TOR);
        assertTrue(p.supports("Relay", 4), "ntor v3");
        assertTrue(p.supports("FlowCtrl", 2), "congestion control");
        assertTrue(p.supports("Link", 3));
        assertFalse(p.supports("Relay", 1));
        assertFalse(p.supports("Link", 6));
        assertFalse(p.supports("Nope", 1));
        Protover ours = Protover.parse("Cons=1-2 Desc=1-2 FlowCtrl=1 Link=3-5 Microdesc=1-2 Relay=2");
        assertFalse(ours.supports("Relay", 4));
        assertTrue(Protover.parse("X=1,3-4").supports("X", 3));
        assertFalse(Protover.parse("X=1,3-4").supports("X", 2));
        assertFalse(Protover.none().supports("Relay", 2));
        assertFalse(Protover.parse("").supports("Relay", 2));
    }

    @Test
    void refusesMalformedLines() {
        for (String bad : new String[] {"Relay", "=1", "Relay=a", "Relay=4-2", "Relay=64", "Relay=1-",
            "Relay=100", "Relay=1,,2"}) {
            assertThrows(ProtocolException.class, () -> Protover.parse(bad), bad);
        }
    }

    @Test
    void fuzz() {
        Fuzzer f = new Fuzzer(0x9e07L).maxLen(200);
        f.seed(TOR.getBytes(StandardCharsets.ISO_8859_1));
        f.seed("X=1,3-4 Y=0".getBytes(StandardCharsets.ISO_8859_1));
        System.out.println("[fuzz] " + f.run("Protover.parse", 1_000_000,
                b -> Protover.parse(new String(b, StandardCharsets.ISO_8859_1)).supports("Relay", 4)));
        assertTrue(f.accepted() > 0 && f.rejected() > 0);
    }
}
