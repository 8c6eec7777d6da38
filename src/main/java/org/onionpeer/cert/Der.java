package org.onionpeer.cert;

import java.math.BigInteger;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * The small, strict subset of DER (ITU-T X.690) that Tor's X.509 certificates need: single-byte tags,
 * definite minimal lengths, and readers that never look past their own TLV. No recursion on input, so
 * hostile nesting cannot exhaust the stack. Everything wrong becomes a {@link ProtocolException}.
 */
public final class Der {
    public static final int INTEGER = 0x02;
    public static final int BIT_STRING = 0x03;
    public static final int OCTET_STRING = 0x04;
    public static final int NULL = 0x05;
    public static final int OID = 0x06;
    public static final int UTF8_STRING = 0x0c;
    public static final int PRINTABLE_STRING = 0x13;
    public static final int UTC_TIME = 0x17;
    public static final int GENERALIZED_TIME = 0x18;
    public static final int SEQUENCE = 0x30;
    public static final int SET = 0x31;

    /** Longest value we read: a CERTS cell entry is at most 65535 bytes, so nothing larger is legitimate. */
    public static final int MAX_LENGTH = 0xffff;

    private Der() {
    }

    /** One element: its tag and where its value sits in the shared buffer. */
    public static final class Tlv {
        public final int tag;
        private final byte[] buf;
        private final int start;
        private final int valueOff;
        private final int valueLen;

        Tlv(int tag, byte[] buf, int start, int valueOff, int valueLen) {
            this.tag = tag;
            this.buf = buf;
            this.start = start;
            this.valueOff = valueOff;
            this.valueLen = valueLen;
        }

        public int valueLength() {
            return valueLen;
        }

        public byte[] value() {
            return Bytes.slice(buf, valueOff, valueLen);
        }

        /** The whole element, header included (what signatures cover). */
        public byte[] encoded() {
            return Bytes.slice(buf, start, valueOff + valueLen - start);
        }

        /** A reader over this element's value (for SEQUENCE, SET and explicit tags). */
        public Reader contents() {
            return new Reader(buf, valueOff, valueLen);
        }
    }

    /** Reads consecutive elements from a range of bytes. */
    public static final class Reader {
        private final byte[] buf;
        private int pos;
        private final int end;

        public Reader(byte[] buf) {
            this(buf, 0, buf.length);
        }

        Reader(byte[] buf, int off, int len) {
            this.buf = buf;
            this.pos = off;
            this.end = off + len;
        }

        public boolean hasMore() {
            return pos < end;
        }

        /** The tag of the next element, or -1 at the end. */
        public int peekTag() {
            return pos < end ? buf[pos] & 0xff : -1;
        }

        public Tlv next(String what) {
            int start = pos;
            if (end - pos < 2) {
                throw new ProtocolException(what + ": truncated DER element");
            }
            int tag = buf[pos++] & 0xff;
            if ((tag & 0x1f) == 0x1f) {
                throw new ProtocolException(what + ": multi-byte DER tags are not supported");
            }
            int first = buf[pos++] & 0xff;
            int len;
            if (first < 0x80) {
                len = first;
            } else {
                int n = first & 0x7f;
                if (n == 0) {
                    throw new ProtocolException(what + ": indefinite length is not DER");
                }
                if (n > 2) {
                    throw new ProtocolException(what + ": DER length too large");
                }
                if (end - pos < n) {
                    throw new ProtocolException(what + ": truncated DER length");
                }
                len = 0;
                for (int i = 0; i < n; i++) {
                    len = (len << 8) | (buf[pos++] & 0xff);
                }
                if (len < 0x80 || (n == 2 && len < 0x100)) {
                    throw new ProtocolException(what + ": non-minimal DER length");
                }
            }
            if (len > end - pos) {
                throw new ProtocolException(what + ": DER length " + len + " beyond input (" + (end - pos) + ")");
            }
            Tlv t = new Tlv(tag, buf, start, pos, len);
            pos += len;
            return t;
        }

        public Tlv expect(int tag, String what) {
            Tlv t = next(what);
            if (t.tag != tag) {
                throw new ProtocolException(what + ": expected DER tag 0x" + Integer.toHexString(tag) + ", got 0x"
                        + Integer.toHexString(t.tag));
            }
            return t;
        }

        /** Reads a SEQUENCE and returns a reader over its contents. */
        public Reader sequence(String what) {
            return expect(SEQUENCE, what).contents();
        }

        /** Reads an INTEGER, requiring DER's minimal two's-complement form. */
        public BigInteger integer(String what) {
            return integerValue(expect(INTEGER, what), what);
        }

        /** Reads an INTEGER in DER's minimal two's-complement form and returns those content bytes. */
        public byte[] integerBytes(String what) {
            return Der.integerBytes(expect(INTEGER, what), what);
        }

        public void end(String what) {
            if (pos != end) {
                throw new ProtocolException(what + ": " + (end - pos) + " unexpected trailing bytes");
            }
        }
    }

    public static BigInteger integerValue(Tlv t, String what) {
        return new BigInteger(integerBytes(t, what));
    }

    /**
     * An INTEGER's content bytes, checked to be DER's minimal two's-complement form: what the browser's code
     * reads instead of a BigInteger (issue 12).
     */
    public static byte[] integerBytes(Tlv t, String what) {
        byte[] v = t.value();
        if (v.length == 0) {
            throw new ProtocolException(what + ": empty INTEGER");
        }
        if (v.length > 1 && ((v[0] == 0 && (v[1] & 0x80) == 0) || (v[0] == (byte) 0xff && (v[1] & 0x80) != 0))) {
            throw new ProtocolException(what + ": non-minimal INTEGER");
        }
        return v;
    }

    /** Dotted text of an OBJECT IDENTIFIER's value ("1.2.840.113549.1.1.11"). */
    public static String oidString(Tlv t, String what) {
        byte[] v = t.value();
        if (v.length == 0 || v.length > 64) {
            throw new ProtocolException(what + ": OID of bad length");
        }
        StringBuilder sb = new StringBuilder();
        long acc = 0;
        boolean firstArc = true;
        for (int i = 0; i < v.length; i++) {
            int b = v[i] & 0xff;
            if (acc == 0 && b == 0x80) {
                throw new ProtocolException(what + ": non-minimal OID arc");
            }
            acc = (acc << 7) | (b & 0x7f);
            if (acc > 0xffffffffL) {
                throw new ProtocolException(what + ": OID arc too large");
            }
            if ((b & 0x80) == 0) {
                if (firstArc) {
                    int x = acc < 40 ? 0 : acc < 80 ? 1 : 2;
                    sb.append(x).append('.').append(acc - 40L * x);
                    firstArc = false;
                } else {
                    sb.append('.').append(acc);
                }
                acc = 0;
            } else if (i == v.length - 1) {
                throw new ProtocolException(what + ": truncated OID arc");
            }
        }
        return sb.toString();
    }

    // ---- writing -------------------------------------------------------------------------------------

    public static byte[] tlv(int tag, byte[]... parts) {
        byte[] body = Bytes.concat(parts);
        int n = body.length;
        ByteWriter w = new ByteWriter(n + 4);
        w.u8(tag);
        if (n < 0x80) {
            w.u8(n);
        } else if (n <= 0xff) {
            w.u8(0x81).u8(n);
        } else if (n <= 0xffff) {
            w.u8(0x82).u16(n);
        } else {
            throw new IllegalArgumentException("DER element longer than 65535 bytes");
        }
        return w.bytes(body).toByteArray();
    }

    public static byte[] sequence(byte[]... parts) {
        return tlv(SEQUENCE, parts);
    }

    public static byte[] integer(BigInteger v) {
        return tlv(INTEGER, v.toByteArray());
    }

    public static byte[] nul() {
        return new byte[] {NULL, 0};
    }

    /** BIT STRING with no unused bits. */
    public static byte[] bitString(byte[] bits) {
        return tlv(BIT_STRING, new byte[] {0}, bits);
    }

    public static byte[] utf8(String s) {
        return tlv(UTF8_STRING, Bytes.ascii(s));
    }

    public static byte[] oid(String dotted) {
        // Split by hand: no regex in the core (TeaVM's is partial).
        java.util.List<Long> arcs = new java.util.ArrayList<>();
        int from = 0;
        for (int i = 0; i <= dotted.length(); i++) {
            if (i == dotted.length() || dotted.charAt(i) == '.') {
                arcs.add(Long.parseLong(dotted.substring(from, i)));
                from = i + 1;
            }
        }
        ByteWriter w = new ByteWriter();
        base128(w, arcs.get(0) * 40 + arcs.get(1));
        for (int i = 2; i < arcs.size(); i++) {
            base128(w, arcs.get(i));
        }
        return tlv(OID, w.toByteArray());
    }

    private static void base128(ByteWriter w, long v) {
        int groups = 1;
        while ((v >>> (7 * groups)) != 0) {
            groups++;
        }
        for (int g = groups - 1; g >= 0; g--) {
            int b = (int) ((v >>> (7 * g)) & 0x7f);
            w.u8(g == 0 ? b : b | 0x80);
        }
    }

    // ---- time ----------------------------------------------------------------------------------------

    /**
     * Reads a UTCTime (YYMMDDHHMMSSZ, years 1950-2049 per RFC 5280 §4.1.2.5.1) or GeneralizedTime
     * (YYYYMMDDHHMMSSZ) as seconds since the Unix epoch.
     */
    public static long time(Tlv t, String what) {
        byte[] v = t.value();
        int year;
        int i;
        if (t.tag == UTC_TIME && v.length == 13) {
            int yy = digits(v, 0, 2, what);
            year = yy < 50 ? 2000 + yy : 1900 + yy;
            i = 2;
        } else if (t.tag == GENERALIZED_TIME && v.length == 15) {
            year = digits(v, 0, 4, what);
            i = 4;
        } else {
            throw new ProtocolException(what + ": not a DER UTCTime or GeneralizedTime");
        }
        int month = digits(v, i, 2, what);
        int day = digits(v, i + 2, 2, what);
        int hour = digits(v, i + 4, 2, what);
        int min = digits(v, i + 6, 2, what);
        int sec = digits(v, i + 8, 2, what);
        if (v[i + 10] != 'Z') {
            throw new ProtocolException(what + ": time must end in Z");
        }
        if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month) || hour > 23 || min > 59
                || sec > 59) {
            throw new ProtocolException(what + ": time field out of range");
        }
        return daysFromCivil(year, month, day) * 86400L + hour * 3600L + min * 60L + sec;
    }

    /** UTCTime through 2049, GeneralizedTime after, as RFC 5280 §4.1.2.5 requires. */
    public static byte[] time(long epochSeconds) {
        long days = Math.floorDiv(epochSeconds, 86400L);
        long secs = epochSeconds - days * 86400L;
        long[] ymd = civilFromDays(days);
        int year = (int) ymd[0];
        if (year < 1950 || year > 9999) {
            throw new IllegalArgumentException("certificate time out of range");
        }
        StringBuilder sb = new StringBuilder();
        boolean utc = year < 2050;
        pad(sb, utc ? year % 100 : year, utc ? 2 : 4);
        pad(sb, (int) ymd[1], 2);
        pad(sb, (int) ymd[2], 2);
        pad(sb, (int) (secs / 3600), 2);
        pad(sb, (int) (secs / 60 % 60), 2);
        pad(sb, (int) (secs % 60), 2);
        sb.append('Z');
        return tlv(utc ? UTC_TIME : GENERALIZED_TIME, Bytes.ascii(sb.toString()));
    }

    private static void pad(StringBuilder sb, int v, int width) {
        String s = Integer.toString(v);
        for (int i = s.length(); i < width; i++) {
            sb.append('0');
        }
        sb.append(s);
    }

    private static int digits(byte[] v, int off, int n, String what) {
        int x = 0;
        for (int i = 0; i < n; i++) {
            int c = v[off + i];
            if (c < '0' || c > '9') {
                throw new ProtocolException(what + ": non-digit in time");
            }
            x = x * 10 + (c - '0');
        }
        return x;
    }

    private static int daysInMonth(int y, int m) {
        if (m == 2) {
            boolean leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            return leap ? 29 : 28;
        }
        return (m == 4 || m == 6 || m == 9 || m == 11) ? 30 : 31;
    }

    /** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's civil-date algorithm). */
    static long daysFromCivil(long y, int m, int d) {
        y -= m <= 2 ? 1 : 0;
        long era = Math.floorDiv(y, 400);
        long yoe = y - era * 400;
        long doy = (153L * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
        long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        return era * 146097 + doe - 719468;
    }

    static long[] civilFromDays(long z) {
        z += 719468;
        long era = Math.floorDiv(z, 146097);
        long doe = z - era * 146097;
        long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        return new long[] {m <= 2 ? y + 1 : y, m, d};
    }
}
