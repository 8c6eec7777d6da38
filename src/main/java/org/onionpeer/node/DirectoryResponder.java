package org.onionpeer.node;

import org.onionpeer.bytes.Text;
import java.io.ByteArrayOutputStream;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * The far end of a BEGIN_DIR stream: an HTTP/1.0 server of one request (tor-spec §6.2.1, dir-spec), answered
 * from the relay's own documents. Requests are bounded; anything but a GET gets 400.
 */
final class DirectoryResponder implements Transport {
    static final int MAX_REQUEST = 8192;

    private final Scheduler scheduler;
    private final OnionRouter.DirectorySource source;
    private final ByteArrayOutputStream request = new ByteArrayOutputStream();
    private Listener listener;
    private boolean answered;
    private boolean closed;

    DirectoryResponder(Scheduler scheduler, OnionRouter.DirectorySource source) {
        this.scheduler = scheduler;
        this.source = source;
    }

    @Override
    public void send(byte[] data) {
        if (answered || closed) {
            return;
        }
        request.write(data, 0, data.length);
        String text = latin1(request.toByteArray());
        int end = text.indexOf("\r\n\r\n");
        if (end < 0 && request.size() <= MAX_REQUEST) {
            return;
        }
        answered = true;
        String response;
        if (end < 0) {
            response = status(413, "Request Entity Too Large", "");
        } else {
            String line = text.substring(0, text.indexOf("\r\n"));
            String[] parts = Text.split(line, " ");
            if (parts.length != 3 || !parts[0].equals("GET") || !parts[2].startsWith("HTTP/1.")) {
                response = status(400, "Bad Request", "");
            } else {
                String doc = source.document(parts[1]);
                response = doc == null ? status(404, "Not Found", "") : status(200, "OK", doc);
            }
        }
        byte[] bytes = Bytes.ascii(response);
        scheduler.execute(() -> {
            if (listener != null && !closed) {
                listener.onData(bytes);
                closed = true;
                listener.onClosed("response sent");
            }
        });
    }

    private static String status(int code, String reason, String body) {
        return "HTTP/1.0 " + code + " " + reason + "\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
                + "\r\n\r\n" + body;
    }

    private static String latin1(byte[] b) {
        char[] c = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            c[i] = (char) (b[i] & 0xff);
        }
        return new String(c);
    }

    @Override
    public void close(String reason) {
        closed = true;
    }

    @Override
    public long bufferedAmount() {
        return 0;
    }

    @Override
    public void setListener(Listener listener) {
        this.listener = listener;
    }
}
