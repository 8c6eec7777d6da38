package org.onionpeer.e2e;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reference figures from C tor in a {@link TorNetwork}, for comparing our figures with: circuit build times
 * through a C tor client's ControlPort, and bulk download speed through its SOCKS port.
 */
final class TorReference {
    private TorReference() {
    }

    /**
     * Builds {@code n} circuits with EXTENDCIRCUIT (path i is {@code paths.get(i % paths.size())}), closing
     * each once built; returns each build time in milliseconds (EXTENDCIRCUIT sent to CIRC BUILT seen).
     */
    static double[] cTorBuildMillis(CTorClient c, List<List<String>> paths, int n) throws IOException, InterruptedException {
        double[] ms = new double[n];
        for (int i = 0; i < n; i++) {
            CTorClient.Built b = c.buildCircuit(paths.get(i % paths.size()));
            ms[i] = b.nanos() / 1e6;
            c.closeCircuit(b.id());
        }
        return ms;
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /**
     * Downloads {@code url} (http://host:port/path) through the SOCKS5 port {@code socksPort}, checks the
     * body is {@code bytes} long, and returns MB/s (10^6 bytes) from the SOCKS CONNECT to the last byte.
     */
    static double cTorBulkMBps(int socksPort, String url, long bytes) throws IOException {
        return bulkMBps(socksPort, url, bytes, null);
    }

    /**
     * The same with SOCKS5 username {@code isolation} (RFC 1929, an empty password): tor and our proxy isolate
     * streams by it (IsolateSOCKSAuth), so a new name gets the stream a circuit (a conflux set) of its own.
     */
    static double isolatedBulkMBps(int socksPort, String url, long bytes, String isolation) throws IOException {
        return bulkMBps(socksPort, url, bytes, isolation);
    }

    /** The same download straight from the server, no proxy: what the host and the server allow. */
    static double directBulkMBps(String url, long bytes) throws IOException {
        return bulkMBps(-1, url, bytes, null);
    }

    /** Through {@code socksPort}, or directly when it is negative. */
    private static double bulkMBps(int socksPort, String url, long bytes, String isolation) throws IOException {
        URI u = URI.create(url);
        String host = u.getHost();
        int port = u.getPort() < 0 ? 80 : u.getPort();
        String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), socksPort < 0 ? port : socksPort)) {
            s.setSoTimeout(120_000);
            long t0 = System.nanoTime();
            OutputStream out = s.getOutputStream();
            DataInputStream in = new DataInputStream(s.getInputStream());
            if (socksPort >= 0) {
                socks5Connect(out, in, host, port, isolation);
            }
            out.write(("GET " + path + " HTTP/1.0\r\nHost: " + host + ":" + port + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            long body = readHttpBody(in);
            long t1 = System.nanoTime();
            if (body != bytes) {
                throw new IOException("got " + body + " body bytes, expected " + bytes);
            }
            return body / ((t1 - t0) / 1e9) / 1e6;
        }
    }

    /** RFC 1928: no-auth method, CONNECT by domain name (tor resolves at the exit; IPv4 literals work too). */
    /** CONNECT without authentication, or with username {@code isolation} and an empty password when given. */
    static void socks5Connect(OutputStream out, DataInputStream in, String host, int port, String isolation)
            throws IOException {
        int method = isolation == null ? 0 : 2;
        out.write(new byte[] {5, 1, (byte) method});
        out.flush();
        byte[] m = new byte[2];
        in.readFully(m);
        if (m[0] != 5 || m[1] != method) {
            throw new IOException("SOCKS5 method reply " + m[0] + " " + m[1]);
        }
        if (isolation != null) {
            byte[] u = isolation.getBytes(StandardCharsets.US_ASCII);
            byte[] auth = new byte[3 + u.length];
            auth[0] = 1;
            auth[1] = (byte) u.length;
            System.arraycopy(u, 0, auth, 2, u.length);
            out.write(auth);
            out.flush();
            in.readFully(m);
            if (m[0] != 1 || m[1] != 0) {
                throw new IOException("SOCKS5 username/password reply " + m[0] + " " + m[1]);
            }
        }
        byte[] h = host.getBytes(StandardCharsets.US_ASCII);
        byte[] req = new byte[7 + h.length];
        req[0] = 5;
        req[1] = 1; // CONNECT
        req[3] = 3; // domain name
        req[4] = (byte) h.length;
        System.arraycopy(h, 0, req, 5, h.length);
        req[5 + h.length] = (byte) (port >> 8);
        req[6 + h.length] = (byte) port;
        out.write(req);
        out.flush();
        byte[] head = new byte[4];
        in.readFully(head);
        if (head[1] != 0) {
            throw new IOException("SOCKS5 CONNECT to " + host + ":" + port + " refused, reply " + head[1]);
        }
        int skip = head[3] == 1 ? 4 : head[3] == 4 ? 16 : in.readUnsignedByte();
        in.readFully(new byte[skip + 2]);
    }

    /** Reads an HTTP/1.x 200 response to the end and returns its body length (checked against Content-Length). */
    private static long readHttpBody(InputStream in) throws IOException {
        String h = NetworkBench.headText(in, "HTTP response");
        if (!h.startsWith("HTTP/1.1 200") && !h.startsWith("HTTP/1.0 200")) {
            throw new IOException("HTTP answered " + h.lines().findFirst().orElse(""));
        }
        long expected = -1;
        for (String line : h.split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                expected = Long.parseLong(line.substring(15).trim());
            }
        }
        byte[] buf = new byte[64 * 1024];
        long got = 0;
        int n;
        while ((n = in.read(buf)) > 0) {
            got += n;
        }
        if (expected >= 0 && got != expected) {
            throw new IOException("body " + got + " bytes, Content-Length " + expected);
        }
        return got;
    }
}
