package org.onionpeer.torrent;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;

/**
 * A strict reader of bencoding (BEP 3) for the info dicts we must check: integers, byte strings, lists and
 * dicts, nesting at most {@link #MAX_DEPTH} deep, every length checked against what is left before it is
 * used. Errors name what was wrong and where.
 */
final class Bencode {
    static final int MAX_DEPTH = 8;

    private Bencode() {
    }

    /** A decoded dict: byte-string keys (as UTF-8 text) to values (Long, byte[], List, Dict). */
    static final class Dict {
        final Map<String, Object> map = new LinkedHashMap<>();

        boolean has(String k) {
            return map.containsKey(k);
        }

        private Object get(String k, Class<?> type, String what) {
            Object v = map.get(k);
            if (v == null) {
                throw new ProtocolException("info dict has no \"" + k + "\"");
            }
            if (!type.isInstance(v)) {
                throw new ProtocolException("info dict \"" + k + "\" is not " + what);
            }
            return v;
        }

        long integer(String k) {
            return (Long) get(k, Long.class, "an integer");
        }

        byte[] bytes(String k) {
            return (byte[]) get(k, byte[].class, "a string");
        }

        String string(String k, boolean utf8) {
            return Text.utf8(bytes(k));
        }

        List<Dict> dicts(String k) {
            List<Dict> out = new ArrayList<>();
            for (Object o : (List<?>) get(k, List.class, "a list")) {
                if (!(o instanceof Dict)) {
                    throw new ProtocolException("info dict \"" + k + "\" holds something other than dicts");
                }
                out.add((Dict) o);
            }
            return out;
        }

        List<String> strings(String k) {
            List<String> out = new ArrayList<>();
            for (Object o : (List<?>) get(k, List.class, "a list")) {
                if (!(o instanceof byte[])) {
                    throw new ProtocolException("info dict \"" + k + "\" holds something other than strings");
                }
                out.add(Text.utf8((byte[]) o));
            }
            return out;
        }
    }

    static final class Reader {
        private final byte[] b;
        private int pos;

        Reader(byte[] b) {
            this.b = b;
        }

        int pos() {
            return pos;
        }

        Dict dict() {
            Object v = value(0);
            if (!(v instanceof Dict)) {
                throw new ProtocolException("bencoding: not a dict");
            }
            return (Dict) v;
        }

        private int peek() {
            if (pos >= b.length) {
                throw new ProtocolException("bencoding ends early at byte " + pos);
            }
            return b[pos] & 0xff;
        }

        private Object value(int depth) {
            if (depth > MAX_DEPTH) {
                throw new ProtocolException("bencoding nested over " + MAX_DEPTH + " deep");
            }
            int c = peek();
            if (c == 'i') {
                pos++;
                long v = number('e');
                return v;
            }
            if (c == 'l') {
                pos++;
                List<Object> l = new ArrayList<>();
                while (peek() != 'e') {
                    l.add(value(depth + 1));
                }
                pos++;
                return l;
            }
            if (c == 'd') {
                pos++;
                Dict d = new Dict();
                while (peek() != 'e') {
                    if (peek() < '0' || peek() > '9') {
                        throw new ProtocolException("bencoding: dict key at byte " + pos + " is not a string");
                    }
                    String k = Text.utf8(string());
                    if (d.map.put(k, value(depth + 1)) != null) {
                        throw new ProtocolException("bencoding: dict key \"" + k + "\" twice");
                    }
                }
                pos++;
                return d;
            }
            if (c >= '0' && c <= '9') {
                return string();
            }
            throw new ProtocolException("bencoding: unexpected byte " + c + " at " + pos);
        }

        private byte[] string() {
            long n = number(':');
            if (n < 0 || n > b.length - pos) {
                throw new ProtocolException("bencoding: string of " + n + " bytes at " + pos + ", " + (b.length - pos)
                        + " left");
            }
            byte[] s = java.util.Arrays.copyOfRange(b, pos, pos + (int) n);
            pos += (int) n;
            return s;
        }

        private long number(char end) {
            boolean neg = false;
            if (peek() == '-') {
                neg = true;
                pos++;
            }
            int start = pos;
            long v = 0;
            while (peek() != end) {
                int d = peek() - '0';
                if (d < 0 || d > 9 || pos - start >= 18) {
                    throw new ProtocolException("bencoding: bad number at byte " + pos);
                }
                v = v * 10 + d;
                pos++;
            }
            if (pos == start) {
                throw new ProtocolException("bencoding: empty number at byte " + pos);
            }
            pos++;
            return neg ? -v : v;
        }
    }
}
