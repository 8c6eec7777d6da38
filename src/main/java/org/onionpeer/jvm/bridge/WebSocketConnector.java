package org.onionpeer.jvm.bridge;

import java.net.URI;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.exceptions.UpgradeException;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.onionpeer.platform.Scheduler;

/**
 * Opens client WebSocket links ({@code ws://} or {@code wss://}) to another bridge's link endpoint, e.g.
 * {@code ws://host:8080/link}; tests use it to play the browser. One connector (one Jetty WebSocketClient and
 * its threads) serves any number of sessions; {@link #close} ends them all.
 */
public final class WebSocketConnector implements AutoCloseable {
    /** Exactly one of the two is called, on the scheduler given to {@link #connect}. */
    public interface Callback {
        void connected(WebSocketTransport transport);

        /** {@code httpStatus} is the refusing server's status (e.g. 503 when it is full), or -1. */
        void failed(String message, int httpStatus);
    }

    private final WebSocketLimits limits;
    private final WebSocketClient client;

    public WebSocketConnector(WebSocketLimits limits, long connectTimeoutMillis) throws Exception {
        this.limits = limits;
        QueuedThreadPool pool = new QueuedThreadPool(16, 2);
        pool.setName("onionpeer-ws-client");
        pool.setDaemon(true);
        client = new WebSocketClient();
        client.getHttpClient().setExecutor(pool);
        client.setConnectTimeout(connectTimeoutMillis);
        client.setMaxBinaryMessageSize(limits.maxMessageBytes());
        client.setMaxFrameSize(limits.maxMessageBytes());
        client.setMaxTextMessageSize(WebSocketLimits.MAX_TEXT_MESSAGE_BYTES);
        client.setIdleTimeout(Duration.ofMillis(limits.idleTimeoutMillis()));
        client.setStopAtShutdown(false);
        client.start();
    }

    /** With {@link WebSocketLimits#DEFAULT} and a 10 s connect timeout. */
    public WebSocketConnector() throws Exception {
        this(WebSocketLimits.DEFAULT, 10_000);
    }

    /**
     * Starts connecting; {@code callback} hears the outcome on {@code scheduler}. The transport delivers to
     * the same scheduler; bytes arriving before its listener is set are kept for it.
     */
    public void connect(URI uri, Scheduler scheduler, Callback callback) {
        WebSocketTransport t = new WebSocketTransport(scheduler, limits, null, null);
        try {
            client.connect(t.endpoint(), uri).whenComplete((session, failure) -> {
                if (failure == null) {
                    scheduler.execute(() -> callback.connected(t));
                } else {
                    Throwable c = unwrap(failure);
                    scheduler.execute(() -> callback.failed(String.valueOf(c.getMessage()), httpStatusOf(c)));
                }
            });
        } catch (Exception | Error e) {
            scheduler.execute(() -> callback.failed(String.valueOf(e.getMessage()), -1));
        }
    }

    private static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The HTTP status of a refused upgrade found in {@code t}'s causes, or -1. */
    static int httpStatusOf(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof UpgradeException && ((UpgradeException) c).getResponseStatusCode() > 0) {
                return ((UpgradeException) c).getResponseStatusCode();
            }
            if (c instanceof org.eclipse.jetty.websocket.core.exception.UpgradeException
                    && ((org.eclipse.jetty.websocket.core.exception.UpgradeException) c).getResponseStatusCode() > 0) {
                return ((org.eclipse.jetty.websocket.core.exception.UpgradeException) c).getResponseStatusCode();
            }
        }
        return -1;
    }

    public WebSocketLimits limits() {
        return limits;
    }

    /** Stops the client: its open sessions are closed and their transports report onClosed. */
    @Override
    public void close() throws Exception {
        client.stop();
    }
}
