package org.onionpeer.e2e;

import org.onionpeer.jvm.Bridge;

/** The bridge every end-to-end test starts: loopback only, any free port, the built web app. */
final class TestBridges {
    private TestBridges() {
    }

    /**
     * A bridge with {@code relays} embedded relays (the last one the exit, allowed to reach 127.0.0.0/8
     * where the tests' web servers are), no SOCKS port unless the caller sets one.
     */
    static Bridge.Options options(int relays) {
        Bridge.Options o = new Bridge.Options();
        o.port = 0;
        o.socksPort = -1;
        o.relays = relays;
        o.exitPolicy = "accept 127.0.0.0/8:*";
        o.webappDir = WebappServer.webappDir();
        return o;
    }

    /**
     * A bridge whose onion proxy uses the Tor network of {@code authorityLine} (a DirAuthority line), with no
     * embedded relays and no SOCKS port unless the caller sets one.
     */
    static Bridge.Options tor(String authorityLine) {
        Bridge.Options o = options(1);
        o.embedded = false;
        o.torAuthorities.add(authorityLine);
        return o;
    }
}
