package org.onionpeer;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Keeps the architecture honest: the core (every package but jvm and browser) imports neither platform
 * nor any JVM-only I/O or JCA class, and the browser entry point never reaches the jvm package. (The TeaVM
 * build is the second guard: it fails on classes the browser cannot have.)
 */
class LayeringTest {
    private static final Path SRC = Paths.get("src/main/java/org/onionpeer");

    private static final String[] CORE_FORBIDDEN = {
        "import org.onionpeer.jvm", "import org.onionpeer.browser", "import org.teavm", "import io.netty",
        "import org.eclipse.jetty", "import org.libtorrent4j",
        "import java.net.", "import java.nio.channels", "import java.nio.file", "import java.io.File",
        "import javax.crypto", "import java.security.MessageDigest", "import java.security.Signature",
        "import java.security.KeyPairGenerator", "import java.lang.reflect", "import java.util.concurrent",
        "import java.time", "Thread.sleep", "synchronized ",
    };

    @Test
    void coreReachesNoPlatform() throws IOException {
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String rel = SRC.relativize(f).toString().replace('\\', '/');
                String text = Files.readString(f);
                if (rel.startsWith("jvm/")) {
                    continue;
                }
                if (rel.startsWith("browser/")) {
                    if (text.contains("import org.onionpeer.jvm")) {
                        bad.add(rel + ": browser imports jvm");
                    }
                    continue;
                }
                for (String s : CORE_FORBIDDEN) {
                    if (text.contains(s)) {
                        bad.add(rel + ": core uses '" + s.trim() + "'");
                    }
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }

    /**
     * JDK APIs whose TeaVM class library is large, kept out of everything onionpeer.js, files.js or media.js can reach
     * (the core and browser packages; issue 12, 500 KB): String.split/matches/replaceAll bring the whole regex
     * engine (~120 KB minified), String.format the Formatter, StandardCharsets the java.nio.charset coders.
     * Use Text.split, string concatenation and Text.utf8/latin1 instead. Case mapping (toLowerCase, toUpperCase,
     * equalsIgnoreCase, Locale) brings the Unicode case tables: Text.asciiLower/asciiUpper/equalsIgnoreAsciiCase
     * serve what is ASCII by protocol. BundleSizeTest checks the bundle itself.
     */
    private static final String[] BUNDLE_COSTLY = {
        ".split(\"", ".matches(\"", ".replaceAll(", ".replaceFirst(", "java.util.regex", "String.format(",
        ".formatted(", "java.nio.charset", "StandardCharsets.", ".toLowerCase(", ".toUpperCase(",
        ".equalsIgnoreCase(", "compareToIgnoreCase(", "CASE_INSENSITIVE_ORDER", "java.util.Locale",
        "regionMatches(true", "Character.digit(",
    };

    @Test
    void browserReachableCodeAvoidsCostlyJdkApis() throws IOException {
        List<String> bad = new ArrayList<>();
        try (Stream<Path> files = Files.walk(SRC)) {
            for (Path f : (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                String rel = SRC.relativize(f).toString().replace('\\', '/');
                if (rel.startsWith("jvm/")) {
                    continue;
                }
                String[] lines = Files.readString(f).split("\n");
                for (int i = 0; i < lines.length; i++) {
                    String t = lines[i].trim();
                    if (t.startsWith("*") || t.startsWith("//") || t.startsWith("/*")) {
                        continue; // prose may name them
                    }
                    for (String s : BUNDLE_COSTLY) {
                        if (lines[i].contains(s)) {
                            bad.add(rel + ":" + (i + 1) + ": uses '" + s + "'");
                        }
                    }
                }
            }
        }
        assertTrue(bad.isEmpty(), String.join("\n", bad));
    }
}
