package org.onionpeer.netdoc;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * Tor's directory meta-format (dir-spec §1.2): a document is a sequence of items, each a keyword line
 * ({@code Keyword (WS Argument)* NL}) optionally followed by one object ({@code -----BEGIN TYPE-----},
 * base64 lines, {@code -----END TYPE-----}). Empty lines are skipped. The tokenizer keeps each item's
 * character offsets so that callers can hash exactly the signed range of the original text.
 *
 * <p>Text is handled as ISO-8859-1: one char per byte of the document as received. A char above 0xFF (a
 * caller that decoded the bytes some other way) or a NUL is rejected, as is a document that does not end
 * with a newline. Limits: {@link #MAX_LINE} per line, {@link #MAX_OBJECT} base64 characters per object,
 * a caller-given number of items.
 */
public final class NetDoc {
    /** Longest line (keyword line or base64 line) accepted; tor's longest real lines (family) stay below. */
    public static final int MAX_LINE = 32768;
    /** Most base64 characters in one object (a 16384-bit RSA key would need ~2,800). */
    public static final int MAX_OBJECT = 16384;
    /** Most arguments on one keyword line. */
    public static final int MAX_ARGS = 4096;

    private static final String BEGIN = "-----BEGIN ";
    private static final String END = "-----END ";
    private static final String DASHES = "-----";
    private static final String[] NO_ARGS = new String[0];

    private NetDoc() {
    }

    /** One item: keyword, arguments, optional object, and where it sits in the text. */
    public static final class Item {
        public final String keyword;
        private final String[] args;
        /** The keyword line after the keyword and its first whitespace, as written (no newline). */
        public final String argText;
        /** The object's type ("RSA PUBLIC KEY", "SIGNATURE", ...), or null when there is none. */
        public final String objectType;
        private final byte[] object;
        /** Offset of the keyword's first character. */
        public final int start;
        /** Offset just after the keyword line's newline. */
        public final int lineEnd;
        /** Offset just after the item (after the object's END line when there is one). */
        public final int end;

        Item(String keyword, String[] args, String argText, String objectType, byte[] object, int start,
                int lineEnd, int end) {
            this.keyword = keyword;
            this.args = args;
            this.argText = argText;
            this.objectType = objectType;
            this.object = object;
            this.start = start;
            this.lineEnd = lineEnd;
            this.end = end;
        }

        public int argCount() {
            return args.length;
        }

        public String arg(int i) {
            return args[i];
        }

        public String[] args() {
            return args.clone();
        }

        public boolean hasObject() {
            return object != null;
        }

        public byte[] object() {
            return object == null ? null : object.clone();
        }

        /** Requires at least {@code n} arguments. */
        public Item minArgs(int n) {
            if (args.length < n) {
                throw new ProtocolException(keyword + ": " + args.length + " arguments, need " + n);
            }
            return this;
        }

        /** Requires no object. */
        public Item noObject() {
            if (object != null) {
                throw new ProtocolException(keyword + ": unexpected object");
            }
            return this;
        }

        /** Requires an object of one of {@code types} and returns its bytes. */
        public byte[] objectOf(String... types) {
            if (object == null) {
                throw new ProtocolException(keyword + ": missing object");
            }
            for (String t : types) {
                if (t.equals(objectType)) {
                    return object.clone();
                }
            }
            throw new ProtocolException(keyword + ": object of type " + objectType);
        }
    }

    /** Splits {@code text} into items. */
    public static List<Item> tokenize(String text, int maxItems) {
        if (text == null) {
            throw new ProtocolException("directory document: no text");
        }
        int len = text.length();
        if (len > 0 && text.charAt(len - 1) != '\n') {
            throw new ProtocolException("directory document: does not end with a newline");
        }
        List<Item> items = new ArrayList<>();
        int pos = 0;
        while (pos < len) {
            int nl = lineEnd(text, pos);
            if (nl == pos) { // empty line
                pos++;
                continue;
            }
            if (items.size() >= maxItems) {
                throw new ProtocolException("directory document: more than " + maxItems + " items");
            }
            int k = pos;
            while (k < nl && isKeywordChar(text.charAt(k))) {
                k++;
            }
            if (k == pos || text.charAt(pos) == '-') {
                throw new ProtocolException("directory document: line at offset " + pos + " has no keyword");
            }
            if (k < nl && !isSpace(text.charAt(k))) {
                throw new ProtocolException("directory document: bad character in keyword at offset " + k);
            }
            String keyword = text.substring(pos, k);
            String argText = k < nl ? text.substring(k + 1, nl) : "";
            String[] args = splitArgs(text, k, nl);
            int start = pos;
            int lineEnd = nl + 1;
            pos = lineEnd;
            String type = null;
            byte[] object = null;
            if (pos < len && text.startsWith(BEGIN, pos)) {
                int bl = lineEnd(text, pos);
                type = objectType(text, pos + BEGIN.length(), bl);
                pos = bl + 1;
                StringBuilder b64 = new StringBuilder();
                String endLine = END + type + DASHES;
                while (true) {
                    if (pos >= len) {
                        throw new ProtocolException(keyword + ": object not terminated");
                    }
                    int el = lineEnd(text, pos);
                    if (el - pos == endLine.length() && text.startsWith(endLine, pos)) {
                        pos = el + 1;
                        break;
                    }
                    if (b64.length() + (el - pos) > MAX_OBJECT) {
                        throw new ProtocolException(keyword + ": object larger than " + MAX_OBJECT + " characters");
                    }
                    if (text.startsWith(DASHES, pos)) {
                        throw new ProtocolException(keyword + ": object ends with a mismatched END line");
                    }
                    b64.append(text, pos, el);
                    pos = el + 1;
                }
                object = Base64.decode(b64.toString());
            }
            items.add(new Item(keyword, args, argText, type, object, start, lineEnd, pos));
        }
        return items;
    }

    private static int lineEnd(String text, int from) {
        int nl = text.indexOf('\n', from);
        if (nl < 0) {
            throw new ProtocolException("directory document: does not end with a newline");
        }
        if (nl - from > MAX_LINE) {
            throw new ProtocolException("directory document: line longer than " + MAX_LINE);
        }
        for (int i = from; i < nl; i++) {
            char c = text.charAt(i);
            if (c == 0 || c > 0xff) {
                throw new ProtocolException("directory document: NUL or non-byte character at offset " + i);
            }
        }
        return nl;
    }

    private static String objectType(String text, int from, int nl) {
        // BeginLine ::= "-----BEGIN " Keyword (" " Keyword)* "-----" NL
        if (nl - from < DASHES.length() + 1 || !text.startsWith(DASHES, nl - DASHES.length())) {
            throw new ProtocolException("directory document: malformed BEGIN line at offset " + from);
        }
        int endType = nl - DASHES.length();
        boolean wordStart = true;
        for (int i = from; i < endType; i++) {
            char c = text.charAt(i);
            if (c == ' ') {
                if (wordStart) {
                    throw new ProtocolException("directory document: malformed object type at offset " + i);
                }
                wordStart = true;
            } else if (isKeywordChar(c) && !(wordStart && c == '-')) {
                wordStart = false;
            } else {
                throw new ProtocolException("directory document: malformed object type at offset " + i);
            }
        }
        if (wordStart) {
            throw new ProtocolException("directory document: malformed object type at offset " + from);
        }
        return text.substring(from, endType);
    }

    private static String[] splitArgs(String text, int from, int nl) {
        List<String> out = null;
        int i = from;
        while (i < nl) {
            while (i < nl && isSpace(text.charAt(i))) {
                i++;
            }
            if (i >= nl) {
                break;
            }
            int s = i;
            while (i < nl && !isSpace(text.charAt(i))) {
                i++;
            }
            if (out == null) {
                out = new ArrayList<>();
            }
            if (out.size() >= MAX_ARGS) {
                throw new ProtocolException("directory document: more than " + MAX_ARGS + " arguments");
            }
            out.add(text.substring(s, i));
        }
        return out == null ? NO_ARGS : out.toArray(NO_ARGS);
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }

    static boolean isKeywordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
    }

    /** The bytes of {@code text[from, to)}, one per char (the text is ISO-8859-1, checked by tokenize). */
    public static byte[] bytes(String text, int from, int to) {
        byte[] b = new byte[to - from];
        for (int i = from; i < to; i++) {
            b[i - from] = (byte) text.charAt(i);
        }
        return b;
    }

    /** A document given as bytes, as the ISO-8859-1 text the parsers take. */
    public static String text(byte[] body) {
        char[] c = new char[body.length];
        for (int i = 0; i < body.length; i++) {
            c[i] = (char) (body[i] & 0xff);
        }
        return new String(c);
    }

    // ---- helpers shared by the document parsers ----

    /** Splits a token list into documents each starting with {@code first}. */
    static List<List<Item>> splitAt(List<Item> items, String first, int maxDocs) {
        List<List<Item>> docs = new ArrayList<>();
        for (Item it : items) {
            if (it.keyword.equals(first)) {
                if (docs.size() >= maxDocs) {
                    throw new ProtocolException("more than " + maxDocs + " documents");
                }
                docs.add(new ArrayList<>());
            } else if (docs.isEmpty()) {
                throw new ProtocolException("document does not start with \"" + first + "\"");
            }
            docs.get(docs.size() - 1).add(it);
        }
        return docs;
    }

    /** The only item with {@code keyword}; it must appear exactly once. */
    static Item one(List<Item> items, String keyword) {
        Item it = atMostOne(items, keyword);
        if (it == null) {
            throw new ProtocolException("missing \"" + keyword + "\"");
        }
        return it;
    }

    /** The item with {@code keyword} or null; it must not appear twice. */
    static Item atMostOne(List<Item> items, String keyword) {
        Item found = null;
        for (Item it : items) {
            if (it.keyword.equals(keyword)) {
                if (found != null) {
                    throw new ProtocolException("\"" + keyword + "\" appears more than once");
                }
                found = it;
            }
        }
        return found;
    }

    /** A 40-digit hex identity (either case) as 20 bytes. */
    static byte[] hex20(String s, String what) {
        if (s.length() != 40) {
            throw new ProtocolException(what + ": not 40 hex digits");
        }
        byte[] b = new byte[20];
        for (int i = 0; i < 20; i++) {
            int hi = Bytes.hexDigit(s.charAt(2 * i));
            int lo = Bytes.hexDigit(s.charAt(2 * i + 1));
            if (hi < 0 || lo < 0) {
                throw new ProtocolException(what + ": not hex");
            }
            b[i] = (byte) (hi << 4 | lo);
        }
        return b;
    }

    /** A decimal integer in [min, max] with no sign, spaces or leading '+'. */
    static long number(String s, long min, long max, String what) {
        if (s.isEmpty() || s.length() > 18) {
            throw new ProtocolException(what + ": bad number");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException(what + ": bad number");
            }
            v = v * 10 + (c - '0');
        }
        if (v < min || v > max) {
            throw new ProtocolException(what + ": " + v + " out of range");
        }
        return v;
    }

    /** A port: 0..65535. */
    static int port(String s, String what) {
        return (int) number(s, 0, 65535, what);
    }

    /** A dotted-quad IPv4 address, returned as written after checking it. */
    static String ipv4(String s, String what) {
        String[] parts = org.onionpeer.bytes.Text.split(s, ".");
        if (parts.length != 4) {
            throw new ProtocolException(what + ": not an IPv4 address");
        }
        for (String p : parts) {
            if (p.length() > 1 && p.charAt(0) == '0') {
                throw new ProtocolException(what + ": not an IPv4 address");
            }
            number(p, 0, 255, what);
        }
        return s;
    }

    /**
     * "YYYY-MM-DD" "HH:MM:SS" (UTC, dir-spec §1.3 time format) as Unix seconds, without java.time (TeaVM).
     */
    static long time(String date, String clock, String what) {
        if (date.length() != 10 || date.charAt(4) != '-' || date.charAt(7) != '-' || clock.length() != 8
                || clock.charAt(2) != ':' || clock.charAt(5) != ':') {
            throw new ProtocolException(what + ": bad time " + date + " " + clock);
        }
        long y = number(date.substring(0, 4), 1970, 9999, what);
        long mo = number(date.substring(5, 7), 1, 12, what);
        long d = number(date.substring(8, 10), 1, daysInMonth(y, mo), what);
        long h = number(clock.substring(0, 2), 0, 23, what);
        long mi = number(clock.substring(3, 5), 0, 59, what);
        long s = number(clock.substring(6, 8), 0, 60, what); // tor's parse_iso_time allows a leap second
        return daysFromCivil(y, mo, d) * 86400L + h * 3600 + mi * 60 + s;
    }

    /** Takes the time from arguments {@code i} and {@code i+1} of {@code it}. */
    static long time(Item it, int i) {
        it.minArgs(i + 2);
        return time(it.arg(i), it.arg(i + 1), it.keyword);
    }

    private static long daysInMonth(long y, long m) {
        if (m == 2) {
            boolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            return leap ? 29 : 28;
        }
        return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
    static long daysFromCivil(long y, long m, long d) {
        y -= m <= 2 ? 1 : 0;
        long era = y / 400;
        long yoe = y - era * 400;
        long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    /**
     * Unix seconds as dir-spec's "YYYY-MM-DD HH:MM:SS" in UTC (proleptic Gregorian; Howard Hinnant's
     * days-to-civil, eras of 400 years starting 0000-03-01): for messages and for the documents we write.
     */
    public static String formatTime(long t) {
        long days = Math.floorDiv(t, 86400L);
        long secs = t - days * 86400L;
        long z = days + 719468;
        long era = Math.floorDiv(z, 146097);
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        long y = yoe + era * 400 + (m <= 2 ? 1 : 0);
        return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2) + " " + pad(secs / 3600, 2) + ":"
                + pad(secs / 60 % 60, 2) + ":" + pad(secs % 60, 2);
    }

    private static String pad(long v, int w) {
        StringBuilder s = new StringBuilder(Long.toString(v));
        while (s.length() < w) {
            s.insert(0, '0');
        }
        return s.toString();
    }
}
