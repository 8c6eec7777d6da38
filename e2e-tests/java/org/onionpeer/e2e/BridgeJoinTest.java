package org.onionpeer.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.jvm.Bridge;

/** --join and --no-embedded: a second bridge vouches for the first one's relays in its own directory. */
@Tag("e2e")
class BridgeJoinTest {
    @Test
    void secondBridgeListsTheFirstBridgesRelays() throws Exception {
        Bridge.Options a = new Bridge.Options();
        a.port = 0;
        a.socksPort = -1;
        a.relays = 2;
        Bridge.Options b = new Bridge.Options();
        b.port = 0;
        b.socksPort = -1;
        b.embedded = false;
        try (Bridge first = new Bridge(a)) {
            b.join = URI.create(first.server().url(""));
            try (Bridge second = new Bridge(b)) {
                assertEquals(1 + 2, first.directory().relays().size());
                Set<String> mine = new HashSet<>();
                for (RelayInfo r : second.directory().relays()) {
                    mine.add(r.identity().fingerprint());
                }
                assertEquals(1 + 3, mine.size(), "its own relay plus the three it joined");
                for (RelayInfo r : first.directory().relays()) {
                    assertTrue(mine.contains(r.identity().fingerprint()), r.nickname());
                }
            }
        }
    }
}
