/**
 * ORDB: anonymous file sharing and streaming between nodes, through circuits, with verifiable chunks (the
 * Peersm design's "Content discovery", "Data validation", "Pieces and sliding window", "Requests",
 * "Handling the lists in the ORDBs", "Streaming" and "Messages format"; see src/docs/ordb-protocol.md).
 * Pure core: no I/O, never blocks; everything runs on one {@link org.onionpeer.platform.Scheduler} and
 * speaks through {@link org.onionpeer.ordb.OrdbLink}: a circuit ({@link org.onionpeer.ordb.CircuitLink}, at
 * the OP over {@code ClientCircuit.Extension}, at an ORDB's last hop over {@code node.OrdbStreams}; DB_* cells
 * count in the circuit window like DATA), or an in-memory network in tests.
 *
 * <h2>Integrity</h2>
 * hash_name = SHA-256("onionpeer ordb manifest v1\0" | manifest), and the manifest ({@link
 * org.onionpeer.ordb.Manifest}) commits to the Merkle root over the chunks ({@link
 * org.onionpeer.ordb.MerkleTree}: leaf = SHA-256(0x00 | chunk), node = SHA-256(0x01 | left | right), a lone
 * last node promoted unchanged), the length, the chunk size, the name and the MIME type. Every DB_DATA
 * carries its chunk's proof; the receiver checks it before it keeps, plays or serves the chunk. A live
 * stream's manifest names the publisher's Ed25519 key, which signs each window's root with a timestamp
 * ({@link org.onionpeer.ordb.LiveWindow}).
 *
 * <h2>Framing</h2>
 * Each message is the data of relay messages whose relay command is the message's (0xD0..0xD4, unused by
 * tor-spec) and whose StreamID is the query's stream (DB_INFO: 0), split over cells by {@link
 * org.onionpeer.ordb.OrdbFrames}. Integers are big-endian.
 * <pre>
 * 0xD0 DB_QUERY     hashLen(1)=32 hash_name(32) chunkLen(1, 1..4) chunk count(2, 0..64) counter(1, 0..5)
 * 0xD1 DB_CONNECTED manifestLen(2, 1..430) manifest [liveWindow(138)]
 * 0xD2 DB_DATA      chunk(4) flags(1: bit 0 = window) proofCount(1, 0..24) proof(32 each)
 *                   dataLen(4, 0..65536) data [liveWindow(138)]
 * 0xD3 DB_INFO      hashLen(1)=32 hash_name(32) P(1, 0..3 = 25..100 %) [F(1, 0..1)]
 * 0xD4 DB_END       reason(1): 0 UNAVAILABLE, 1 FINISHED, 2 DESTROYED, 3 LOOP, 4 REFUSED
 * manifest   = version(1)=1 kind(1)
 *              FILE(1): length(8) chunkSize(4, 64..65536) root(32) | LIVE(2): chunkSize(4) windowChunks(2, 1..1024) key(32)
 *              nameLen(1) name(UTF-8) mimeLen(1, 1..127) mime(ASCII)
 * liveWindow = hash_name(32) window(4) count(2) timestamp(4) root(32) Ed25519 signature(64)
 * </pre>
 * Largest message: a DB_DATA with 24 proof hashes, 64 KiB of data and a window ({@link
 * org.onionpeer.ordb.OrdbMessage#MAX_LENGTH} = 66,452 bytes). Decoders refuse truncation, trailing bytes,
 * unknown values and any count or length over its limit with a {@link org.onionpeer.bytes.ProtocolException}
 * naming the field, before allocating what the length claims.
 */
package org.onionpeer.ordb;
