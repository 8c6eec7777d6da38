package org.onionpeer.jvm.torrent;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A facilitator contacts only public trackers unless told otherwise: the trackers come from anonymous queries. */
class TrackerFilterTest {
    @Test
    void internalAndDisguisedHostsAreRefusedPublicOnesKept() {
        List<String> refused = List.of("http://127.0.0.1:6969/announce", "udp://10.1.2.3:80", "http://192.168.0.1/a",
                "http://169.254.169.254/latest/meta-data", "http://[::1]:6969/announce", "http://[fe80::1]/a",
                "http://localhost:6969/announce", "http://tracker.localhost/", "http://printer.local/",
                "http://127.1/announce", "http://2130706433/announce", "http://0x7f.0.0.1/announce",
                "http://0177.0.0.1/announce", "http://user@8.8.8.8/announce", "http://100.64.0.1/announce",
                "http://[::ffff:127.0.0.1]/announce", "http://[fe80::1%25eth0]/a");
        List<String> kept = List.of("http://tracker.example.org:6969/announce", "udp://8.8.8.8:6969",
                "https://[2001:4860:4860::8888]/announce", "http://open.tracker.cl/announce");
        for (String t : refused) {
            assertEquals(List.of(), TrackerFilter.allowed(List.of(t), false), t);
            assertEquals(List.of(t), TrackerFilter.allowed(List.of(t), true), t + " with --allow-private-trackers");
        }
        for (String t : kept) {
            assertEquals(List.of(t), TrackerFilter.allowed(List.of(t), false), t);
        }
    }
}
