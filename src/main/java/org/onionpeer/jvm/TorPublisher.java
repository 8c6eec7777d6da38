package org.onionpeer.jvm;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * Uploads a server descriptor to a directory authority (dir-spec §3.2 "Publishing server descriptors"): an
 * HTTP POST of the descriptor text to "/tor/" on the authority's DirPort. The authority answers
 * "HTTP/1.0 200 OK" when it accepted (or already had) the descriptor, or "400 &lt;reason&gt;" telling why not.
 * A plain socket and HTTP/1.0, as tor itself speaks to DirPorts (no keep-alive, the body ends at close).
 */
public final class TorPublisher {
    /** Answers longer than this are cut off (the authority sends an empty body; reasons are in the status). */
    static final int MAX_RESPONSE = 64 * 1024;

    private TorPublisher() {
    }

    /** The authority's answer: numeric status, the whole status line, the body (usually empty). */
    public record Response(int status, String statusLine, String body) {
        public boolean accepted() {
            return status == 200;
        }
    }

    /**
     * POSTs {@code descriptor} to http://host:dirPort/tor/ and returns the answer; does not interpret it.
     *
     * @throws IOException on connection trouble, a timeout, or an answer that is not HTTP
     */
    public static Response post(String host, int dirPort, String descriptor, int timeoutMillis) throws IOException {
        byte[] body = descriptor.getBytes(StandardCharsets.UTF_8);
        String head = "POST /tor/ HTTP/1.0\r\nHost: " + host + ":" + dirPort + "\r\nContent-Type: text/plain\r\n"
                + "Content-Length: " + body.length + "\r\n\r\n";
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, dirPort), timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            OutputStream out = s.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            for (int n; (n = in.read(buf)) > 0 && got.size() < MAX_RESPONSE;) {
                got.write(buf, 0, n);
            }
            return parse(got.toString(StandardCharsets.ISO_8859_1));
        }
    }

    /** As {@link #post}, but an answer other than 200 is an IOException carrying the authority's status line. */
    public static Response publish(String host, int dirPort, String descriptor, int timeoutMillis) throws IOException {
        Response r = post(host, dirPort, descriptor, timeoutMillis);
        if (!r.accepted()) {
            throw new IOException("authority " + host + ":" + dirPort + " refused the descriptor: " + r.statusLine());
        }
        return r;
    }

    static Response parse(String raw) throws IOException {
        int eol = raw.indexOf("\r\n");
        String statusLine = eol < 0 ? raw : raw.substring(0, eol);
        if (!statusLine.startsWith("HTTP/1.") || statusLine.length() < 12 || statusLine.charAt(8) != ' ') {
            throw new IOException("not an HTTP answer: " + abbreviate(statusLine));
        }
        int status;
        try {
            status = Integer.parseInt(statusLine.substring(9, 12));
        } catch (NumberFormatException e) {
            throw new IOException("bad HTTP status line: " + abbreviate(statusLine));
        }
        int bodyAt = raw.indexOf("\r\n\r\n");
        return new Response(status, statusLine, bodyAt < 0 ? "" : raw.substring(bodyAt + 4));
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "..." : s;
    }
}
