package org.onionpeer.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The authority's answers as tor writes them (dircache's write_http_status_line: "HTTP/1.0 code reason"). */
class TorPublisherTest {
    @Test
    void acceptedAndRefused() throws IOException {
        TorPublisher.Response ok = TorPublisher.parse("HTTP/1.0 200 OK\r\n\r\n");
        assertTrue(ok.accepted());
        assertEquals("", ok.body());
        TorPublisher.Response no = TorPublisher.parse("HTTP/1.0 400 Missing TAP key in descriptor.\r\n\r\n");
        assertFalse(no.accepted());
        assertEquals(400, no.status());
        assertEquals("HTTP/1.0 400 Missing TAP key in descriptor.", no.statusLine());
    }

    @Test
    void notHttpIsAnIoException() {
        assertThrows(IOException.class, () -> TorPublisher.parse(""));
        assertThrows(IOException.class, () -> TorPublisher.parse("SSH-2.0-OpenSSH\r\n"));
        assertThrows(IOException.class, () -> TorPublisher.parse("HTTP/1.0 2x0 OK\r\n\r\n"));
    }
}
