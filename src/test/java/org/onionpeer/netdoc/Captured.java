package org.onionpeer.netdoc;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** The documents captured from a private tor 0.4.9.11 network (src/test/resources/org/onionpeer/netdoc). */
final class Captured {
    private Captured() {
    }

    static String text(String name) {
        try (InputStream in = Captured.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + name);
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) > 0) {
                out.write(buf, 0, n);
            }
            return NetDoc.text(out.toByteArray());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static long now() {
        return Long.parseLong(text("captured-at-unix.txt").trim());
    }

    static String consensus() {
        return text("consensus-ns.txt");
    }

    static String keys() {
        return text("keys-all.txt");
    }

    static String servers() {
        return text("server-all.txt");
    }

    static String authorityLine() {
        for (String line : text("network.env").split("\n")) {
            if (line.startsWith("AUTHORITY_LINE=")) {
                return line.substring(line.indexOf('"') + 1, line.lastIndexOf('"'));
            }
        }
        throw new IllegalStateException("no AUTHORITY_LINE");
    }

    static List<byte[]> trusted() {
        List<byte[]> t = new ArrayList<>();
        t.add(AuthorityLine.parse(authorityLine()).v3Identity());
        return t;
    }
}
