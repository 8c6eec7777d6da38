package org.onionpeer.node;

import org.onionpeer.bytes.Text;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;

/**
 * A whole HTTP/1.0 response as a directory cache sends it over a BEGIN_DIR stream (dir-spec §6: the
 * server closes the stream after the body). Only what a directory client needs: the status code, the
 * headers, and the body up to the end of the stream, or up to Content-Length when present. Bounded: the
 * header block may not exceed {@link #MAX_HEADER_BYTES} or {@link #MAX_HEADERS} lines.
 */
public final class HttpResponse {
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    public static final int MAX_HEADERS = 100;

    private final int status;
    private final String reason;
    private final List<String[]> headers;
    private final byte[] body;

    private HttpResponse(int status, String reason, List<String[]> headers, byte[] body) {
        this.status = status;
        this.reason = reason;
        this.headers = Collections.unmodifiableList(headers);
        this.body = body;
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public byte[] body() {
        return body.clone();
    }

    /** The first header named {@code name} (case-insensitive), or null. */
    public String header(String name) {
        for (String[] h : headers) {
            if (Text.equalsIgnoreAsciiCase(h[0], name)) {
                return h[1];
            }
        }
        return null;
    }

    /** The GET request for {@code path} (which must start with '/' and hold printable ASCII only). */
    public static byte[] request(String path) {
        if (path.isEmpty() || path.charAt(0) != '/' || path.length() > 2048) {
            throw new ProtocolException("directory path must start with '/'");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new ProtocolException("directory path must be printable ASCII without spaces");
            }
        }
        return Bytes.ascii("GET " + path + " HTTP/1.0\r\n\r\n");
    }

    /** Parses a complete response (everything the stream carried until END). */
    public static HttpResponse decode(byte[] b) {
        int end = indexOf(b, Math.min(b.length, MAX_HEADER_BYTES + 4));
        if (end < 0) {
            throw new ProtocolException(b.length > MAX_HEADER_BYTES ? "HTTP header block too large"
                    : "HTTP response ends inside its header block");
        }
        String head = latin1(b, 0, end);
        String[] lines = Text.split(head, "\r\n");
        String statusLine = lines[0];
        if (!(statusLine.startsWith("HTTP/1.0 ") || statusLine.startsWith("HTTP/1.1 ")) || statusLine.length() < 12) {
            throw new ProtocolException("not an HTTP/1.x status line");
        }
        int status = 0;
        for (int i = 9; i < 12; i++) {
            char c = statusLine.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("HTTP status is not three digits");
            }
            status = status * 10 + (c - '0');
        }
        if (statusLine.length() > 12 && statusLine.charAt(12) != ' ') {
            throw new ProtocolException("HTTP status is not three digits");
        }
        String reason = statusLine.length() > 13 ? statusLine.substring(13) : "";
        if (lines.length - 1 > MAX_HEADERS) {
            throw new ProtocolException("too many HTTP headers");
        }
        List<String[]> headers = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            if (colon <= 0) {
                throw new ProtocolException("malformed HTTP header line");
            }
            headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
        }
        int bodyStart = end + 4;
        int bodyLen = b.length - bodyStart;
        HttpResponse partial = new HttpResponse(status, reason, headers, new byte[0]);
        String cl = partial.header("Content-Length");
        if (cl != null) {
            long n = parseLength(cl);
            if (n > bodyLen) {
                throw new ProtocolException("HTTP body shorter than its Content-Length");
            }
            bodyLen = (int) n;
        }
        return new HttpResponse(status, reason, headers, Bytes.slice(b, bodyStart, bodyLen));
    }

    private static long parseLength(String s) {
        if (s.isEmpty() || s.length() > 10) {
            throw new ProtocolException("bad Content-Length");
        }
        long v = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new ProtocolException("bad Content-Length");
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Index of the first CRLFCRLF starting below {@code limit}, or -1. */
    private static int indexOf(byte[] b, int limit) {
        for (int i = 0; i + 3 < b.length && i < limit; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static String latin1(byte[] b, int off, int len) {
        char[] c = new char[len];
        for (int i = 0; i < len; i++) {
            c[i] = (char) (b[off + i] & 0xff);
        }
        return new String(c);
    }
}
