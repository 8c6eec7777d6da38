package org.onionpeer.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dir.RelayInfo;

/**
 * A page's circuit may start at its bridge and continue to a page (bridge -> page -> ...), the bridge
 * extending over the link the page registered on: its registration, signed over that link's challenge,
 * proved who it is and named its onion key. Nothing else may pass for it.
 */
class BridgeExtendsToPagesTest extends PeerNet {
    Page a;
    Page b;
    RelayInfo bridgeRouter;

    @BeforeEach
    void network() throws Exception {
        bridge = new Bridge();
        bridgeRouter = bridgeAsRouter();
        a = new Page("pageA");
        b = new Page("pageB");
        a.join();
        b.join();
        b.relayCircuits();
    }

    String build(List<RelayInfo> path) {
        return build(a, a.bridgeLink, path, 40_000);
    }

    @Test
    void theBridgeExtendsToARegisteredPageOverItsLink() {
        assertEquals("built", build(List.of(bridgeRouter, b.info())));
        assertEquals(1, b.node.circuits().size(), "B relays the circuit");
    }

    @Test
    void aPageThatIsNotRegisteredOrLeftCannotBeReached() {
        Page c = new Page("pageC"); // never registered
        assertEquals("destroyed by the network: CONNECTFAILED", build(List.of(bridgeRouter, c.info())));
        b.bridgeLink.close("tab closed");
        await(() -> bridge.svc.registeredRouter(b.id().bytes()) == null, 5000, "B unregistered");
        assertEquals("destroyed by the network: CONNECTFAILED", build(List.of(bridgeRouter, b.info())));
    }

    @Test
    void anotherOnionKeyThanTheRegisteredOneFailsNtor() {
        RelayInfo wrong = new RelayInfo("pageB", b.identity(), Ntor.publicKey(random32()),
                List.of(Introductions.address(b.id())), Set.of(), "");
        String r = build(List.of(bridgeRouter, wrong));
        assertEquals("destroyed by the network: PROTOCOL", r, "B holds no such onion key");
    }
}
