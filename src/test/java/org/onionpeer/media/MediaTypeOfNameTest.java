package org.onionpeer.media;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** MediaType.mimeOfName: every extension it knows, case, and names it does not know. */
class MediaTypeOfNameTest {
    @Test
    void knownExtensions() {
        String[][] cases = {
            {"webm", "video/webm"}, {"mp4", "video/mp4"}, {"m4v", "video/mp4"}, {"mkv", "video/x-matroska"},
            {"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"}, {"oga", "audio/ogg"}, {"opus", "audio/opus"},
            {"m4a", "audio/mp4"}, {"wav", "audio/wav"}, {"png", "image/png"}, {"jpg", "image/jpeg"},
            {"jpeg", "image/jpeg"}, {"gif", "image/gif"}, {"webp", "image/webp"}, {"svg", "image/svg+xml"},
            {"txt", "text/plain"}, {"html", "text/html"}, {"htm", "text/html"}, {"pdf", "application/pdf"},
            {"zip", "application/zip"}, {"json", "application/json"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], MediaType.mimeOfName("a." + c[0]));
            assertEquals(c[1], MediaType.mimeOfName("My Film.v2." + c[0].toUpperCase()));
        }
    }

    @Test
    void unknownNames() {
        for (String n : new String[] {"", "noext", "a.", "a.mp", "a.mp44", "a.webm=video", "a.mp4 ", "a. mp4",
            "a.=", "a.video/webm", "a.application/json", "a.m4v=video/mp4"}) {
            assertEquals("application/octet-stream", MediaType.mimeOfName(n), n);
        }
    }
}
