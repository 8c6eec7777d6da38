package org.onionpeer.jvm.bridge;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Random;

/**
 * A WebSocket client on a plain {@link Socket}, written out by hand: tests need what real clients never do
 * (reset the connection in mid-upgrade, bind to 127.0.0.2, hold thousands of sessions without a thread each).
 */
final class RawWs implements AutoCloseable {
    final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    int status = -1;
    final Map<String, String> headers = new LinkedHashMap<>();
    String body = "";

    private RawWs(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects from {@code from} (a loopback address) and sends an upgrade request for {@code path}. */
    static RawWs send(String from, int port, String path) throws IOException {
        return send(from, port, path, "");
    }

    /** As {@link #send(String, int, String)} with {@code extraHeaders} (each line ending in CRLF). */
    static RawWs send(String from, int port, String path, String extraHeaders) throws IOException {
        Socket s = new Socket();
        try {
            s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
            s.connect(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), port), 10_000);
            s.setSoTimeout(20_000);
            RawWs w = new RawWs(s);
            byte[] key = new byte[16];
            new Random().nextBytes(key);
            String req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                    + "Connection: Upgrade\r\nSec-WebSocket-Key: " + Base64.getEncoder().encodeToString(key)
                    + "\r\nSec-WebSocket-Version: 13\r\n" + extraHeaders + "\r\n";
            w.out.write(req.getBytes(StandardCharsets.ISO_8859_1));
            w.out.flush();
            return w;
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Upgrade request, then the response head (and a refusal's body); status 101 means the session is open. */
    static RawWs open(String from, int port, String path) throws IOException {
        RawWs w = send(from, port, path);
        w.readResponse();
        return w;
    }

    /** Resets the connection (RST, not FIN): what a client that vanishes mid-upgrade looks like. */
    void reset() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    void readResponse() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed before the response head: " + head);
            }
            head.write(b);
        }
        String[] lines = head.toString(StandardCharsets.ISO_8859_1).split("\r\n");
        status = Integer.parseInt(lines[0].split(" ")[1]);
        for (int i = 1; i < lines.length; i++) {
            int c = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, c).trim().toLowerCase(Locale.ROOT), lines[i].substring(c + 1).trim());
        }
        String len = headers.get("content-length");
        if (status != 101 && len != null) {
            body = new String(in.readNBytes(Integer.parseInt(len)), StandardCharsets.UTF_8);
        }
    }

    /** One masked binary frame (payload under 126 bytes). */
    void sendBinary(byte[] payload) throws IOException {
        sendFrame(0x2, payload);
    }

    private void sendFrame(int opcode, byte[] payload) throws IOException {
        if (payload.length > 125) {
            throw new IllegalArgumentException("short frames only");
        }
        byte[] mask = new byte[4];
        new Random().nextBytes(mask);
        ByteArrayOutputStream f = new ByteArrayOutputStream();
        f.write(0x80 | opcode);
        f.write(0x80 | payload.length);
        f.write(mask);
        for (int i = 0; i < payload.length; i++) {
            f.write(payload[i] ^ mask[i & 3]);
        }
        out.write(f.toByteArray());
        out.flush();
    }

    /** The next frame from the server: {opcode, payload...} as {@code Frame}. */
    Frame readFrame() throws IOException {
        int b0 = readByte();
        int b1 = readByte();
        long len = b1 & 0x7f;
        if (len == 126) {
            len = (readByte() << 8) | readByte();
        } else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; i++) {
                len = (len << 8) | readByte();
            }
        }
        byte[] p = in.readNBytes((int) len);
        return new Frame(b0 & 0x0f, p);
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("connection closed");
        }
        return b;
    }

    static final class Frame {
        final int opcode;
        final byte[] payload;

        Frame(int opcode, byte[] payload) {
            this.opcode = opcode;
            this.payload = payload;
        }

        /** For a close frame: its status code. */
        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        String closeReason() {
            return new String(payload, 2, payload.length - 2, StandardCharsets.UTF_8);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
