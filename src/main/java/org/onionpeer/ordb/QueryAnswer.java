package org.onionpeer.ordb;

/**
 * One query's stream as a server answers it, for the parts of an ORDB that answer later than at once (a live
 * window not yet published, a torrent piece still coming from its swarm). Called on the server's thread.
 */
public interface QueryAnswer {
    void send(OrdbMessage m);

    /** DB_END with {@code reason}, and the query is over. */
    void end(int reason);

    /** The query is over (all asked for was sent). */
    void done();

    /** The asker gave up or is gone: stop sending. */
    boolean gone();
}
