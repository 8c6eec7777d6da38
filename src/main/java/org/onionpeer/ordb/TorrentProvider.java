package org.onionpeer.ordb;

/**
 * Serves torrent queries ({@link DbQuery#torrent()} set) that an ORDB cannot answer from what it holds: a
 * facilitator's bridge to BitTorrent. Count 0 is answered with DB_CONNECTED of a TORRENT manifest (the info
 * dict, {@link Manifest#torrent}); chunks with one DB_DATA each, in order, without proofs (the requester
 * checks whole pieces against the info dict's SHA-1s), then {@link QueryAnswer#done()}; a torrent it cannot
 * get (no peer, no metadata in time) with DB_END UNAVAILABLE. Called on the server's thread; answers must
 * come on it too.
 */
public interface TorrentProvider {
    void serve(DbQuery q, QueryAnswer a);
}
