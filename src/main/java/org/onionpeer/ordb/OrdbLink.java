package org.onionpeer.ordb;

/**
 * One circuit between two ORDB nodes, as the ORDB core sees it: messages out, messages in, closure. The
 * wiring maps it to a real circuit (each message is one relay message whose command is the message's,
 * fragmented over cells as package-info says); tests use an in-memory network with latency and rate limits.
 * Messages arrive in order, and handlers are called on the node's scheduler in later tasks, never from
 * inside {@link #send} or {@link #close}.
 */
public interface OrdbLink {
    /** A stable name for logs, reports and avoid-lists (e.g. the far ORDB's ID in hex). */
    String name();

    /** Sends on {@code stream} (1..65535 for a query and its answers, 0 for DB_INFO). */
    void send(int stream, OrdbMessage m);

    /** Closes the circuit; the far end sees {@link Handler#onClosed}, this end's handler hears nothing more. */
    void close();

    /** What a link delivers. Bodies are raw so the receiver decodes (and refuses) them itself. */
    interface Handler {
        void onMessage(int stream, int command, byte[] body);

        void onClosed();
    }

    /** Opens circuits to ORDBs for a download. */
    interface Connector {
        /**
         * A circuit to an ORDB whose name is not in {@code avoid}, delivering to {@code handler}; or null
         * when no such ORDB is left.
         */
        OrdbLink open(java.util.Set<String> avoid, Handler handler);
    }
}
