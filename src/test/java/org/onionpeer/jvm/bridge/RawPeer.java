package org.onionpeer.jvm.bridge;

import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;
import org.eclipse.jetty.websocket.api.Session;

/** A plain Jetty client endpoint (public: Jetty binds endpoint methods through a public lookup). */
public final class RawPeer extends Session.Listener.AbstractAutoDemanding {
    final CompletableFuture<Integer> closeCode = new CompletableFuture<>();
    final CompletableFuture<ByteBuffer> pong = new CompletableFuture<>();
    final CompletableFuture<ByteBuffer> binary = new CompletableFuture<>();

    @Override
    public void onWebSocketBinary(ByteBuffer payload, org.eclipse.jetty.websocket.api.Callback callback) {
        ByteBuffer copy = ByteBuffer.allocate(payload.remaining());
        copy.put(payload).flip();
        binary.complete(copy);
        callback.succeed();
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason) {
        closeCode.complete(statusCode);
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        // Expected when the bridge closes us; the close code is what the tests look at.
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        pong.complete(payload);
    }
}
