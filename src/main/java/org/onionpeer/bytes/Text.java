package org.onionpeer.bytes;

import java.util.ArrayList;
import java.util.List;

/**
 * Text helpers without regular expressions: String.split would pull TeaVM's whole regex engine into the
 * browser bundle for what is always a split on one literal separator.
 */
public final class Text {
    private Text() {
    }

    /** Splits on every occurrence of {@code sep}, keeping empty fields (like split(sep, -1)). */
    public static String[] split(String s, String sep) {
        List<String> out = new ArrayList<>();
        int from = 0;
        int at;
        while ((at = s.indexOf(sep, from)) >= 0) {
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out.toArray(new String[0]);
    }
}
