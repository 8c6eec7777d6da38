package org.onionpeer.browser;

import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.bytes.Text;

/**
 * The head of an HTTP/1.x response, parsed as soon as it has arrived so that a download can stream its
 * body (RFC 9112 §2-§6). Only what a downloader needs: the status, Content-Length, Content-Type and, for a
 * 206 answer to a Range request, the Content-Range (RFC 9110 §14.4). Bounded: at most {@link #MAX_BYTES}
 * bytes and {@link #MAX_HEADERS} header lines.
 */
public final class HttpHead {
    public static final int MAX_BYTES = 16 * 1024;
    public static final int MAX_HEADERS = 100;
    /** Lengths and offsets beyond this (1 TiB) are refused rather than trusted. */
    public static final long MAX_LENGTH = 1L << 40;

    private final int status;
    private final long contentLength;
    private final String contentType;
    private final long rangeStart;
    private final long rangeEnd;
    private final long rangeTotal;

    private HttpHead(int status, long contentLength, String contentType, long rangeStart, long rangeEnd,
            long rangeTotal) {
        this.status = status;
        this.contentLength = contentLength;
        this.contentType = contentType;
        this.rangeStart = rangeStart;
        this.rangeEnd = rangeEnd;
        this.rangeTotal = rangeTotal;
    }

    public int status() {
        return status;
    }

    /** Content-Length, or -1 when absent. */
    public long contentLength() {
        return contentLength;
    }

    /** Content-Type, or "" when absent. */
    public String contentType() {
        return contentType;
    }

    /** First byte of a Content-Range "bytes a-b/n", or -1 when absent. */
    public long rangeStart() {
        return rangeStart;
    }

    public long rangeEnd() {
        return rangeEnd;
    }

    /** The complete length from Content-Range, or -1 when absent or "*". */
    public long rangeTotal() {
        return rangeTotal;
    }

    /**
     * The index just past the blank line ending the head within {@code b[0..len)}, or -1 when it has not
     * arrived yet. Throws when {@link #MAX_BYTES} bytes arrived without it.
     */
    public static int headEnd(byte[] b, int len) {
        int n = Math.min(len, b.length);
        for (int i = 3; i < n; i++) {
            if (b[i] == '\n' && b[i - 1] == '\r' && b[i - 2] == '\n' && b[i - 3] == '\r') {
                if (i + 1 > MAX_BYTES + 4) {
                    break;
                }
                return i + 1;
            }
        }
        if (n > MAX_BYTES + 4) {
            throw new ProtocolException("HTTP response head larger than " + MAX_BYTES + " bytes");
        }
        return -1;
    }

    /** Parses a head: the status line and header lines, with or without the final blank line. */
    public static HttpHead decode(byte[] b, int len) {
        if (len < 0 || len > b.length) {
            throw new ProtocolException("bad head length");
        }
        if (len > MAX_BYTES + 4) {
            throw new ProtocolException("HTTP response head larger than " + MAX_BYTES + " bytes");
        }
        StringBuilder sb = new StringBuilder(len);
        for (int i = 0; i < len; i++) {
            char c = (char) (b[i] & 0xff);
            // Header fields are ASCII (RFC 9110 §5.5); a NUL is never legitimate.
            if (c == 0) {
                throw new ProtocolException("NUL in HTTP head");
            }
            sb.append(c);
        }
        String head = sb.toString();
        while (head.endsWith("\r\n")) {
            head = head.substring(0, head.length() - 2);
        }
        String[] lines = Text.split(head, "\r\n");
        String sl = lines[0];
        if (!(sl.startsWith("HTTP/1.0 ") || sl.startsWith("HTTP/1.1 ")) || sl.length() < 12) {
            throw new ProtocolException("not an HTTP/1.x status line");
        }
        if (sl.length() > 12 && sl.charAt(12) != ' ') {
            throw new ProtocolException("HTTP status is not three digits");
        }
        int status = (int) digits(sl.substring(9, 12), "HTTP status");
        if (status < 100) {
            throw new ProtocolException("HTTP status below 100");
        }
        if (lines.length - 1 > MAX_HEADERS) {
            throw new ProtocolException("too many HTTP headers");
        }
        long length = -1;
        String type = "";
        long rs = -1;
        long re = -1;
        long rt = -1;
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed HTTP header line");
            }
            String name = l.substring(0, colon).trim();
            String value = l.substring(colon + 1).trim();
            if (Text.equalsIgnoreAsciiCase(name, "Content-Length")) {
                long n = digits(value, "Content-Length");
                if (length >= 0 && length != n) {
                    // RFC 9112 §6.3: differing lengths make the message framing unreliable.
                    throw new ProtocolException("conflicting Content-Length headers");
                }
                length = n;
            } else if (Text.equalsIgnoreAsciiCase(name, "Transfer-Encoding") && !Text.equalsIgnoreAsciiCase(value, "identity")) {
                // We ask in HTTP/1.0, so a server may not chunk (RFC 9112 §6.1); refuse rather than misframe.
                throw new ProtocolException("transfer coding " + value + " not supported");
            } else if (Text.equalsIgnoreAsciiCase(name, "Content-Type")) {
                type = value;
            } else if (Text.equalsIgnoreAsciiCase(name, "Content-Range")) {
                // RFC 9110 §14.4: "bytes first-last/complete" or "bytes first-last/*".
                if (!value.startsWith("bytes ")) {
                    throw new ProtocolException("Content-Range is not in bytes");
                }
                String spec = value.substring(6).trim();
                int dash = spec.indexOf('-');
                int slash = spec.indexOf('/');
                if (dash <= 0 || slash < dash) {
                    throw new ProtocolException("malformed Content-Range");
                }
                rs = digits(spec.substring(0, dash), "Content-Range start");
                re = digits(spec.substring(dash + 1, slash), "Content-Range end");
                String total = spec.substring(slash + 1);
                rt = total.equals("*") ? -1 : digits(total, "Content-Range length");
                if (re < rs || (rt >= 0 && re >= rt)) {
                    throw new ProtocolException("inconsistent Content-Range");
                }
            }
        }
        return new HttpHead(status, length, type, rs, re, rt);
    }

    private static long digits(String s, String what) {
        if (s.isEmpty() || s.length() > 13) {
            throw new ProtocolException(what + " is not a decimal number");
        }
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException(what + " is not a decimal number");
            }
            n = n * 10 + (c - '0');
        }
        if (n > MAX_LENGTH) {
            throw new ProtocolException(what + " too large");
        }
        return n;
    }
}
