/**
 * The Kademlia DHT of the peer network (Peersm "DHT and Bridges", "Bootstrap and peers discovery"): 160-bit
 * IDs (SHA-1 of a node's identity key SPKI), 160 buckets of k = 8, iterative lookups with alpha = 3.
 * Pure core: no I/O, never blocks; a {@link org.onionpeer.dht.Dht} lives on one
 * {@link org.onionpeer.platform.Scheduler} and speaks through a {@link org.onionpeer.dht.DhtTransport}
 * (a Tor link, a WebSocket or a WebRTC data channel later; an in-memory network in tests).
 *
 * <h2>Framing</h2>
 * One transport message is one DHT message; integers are big-endian.
 * <pre>
 * message  = type(1) requestId(4) body         requests have odd types, answers the next even one
 * contact  = id(20) keyLen(2, 1..300) key(SPKI DER)
 *            hostLen(1, 0 = no bridge) [host(ASCII [A-Za-z0-9.:-]) port(2, 1..65535)]
 *            introducerCount(1, 0..4) introducerId(20)*
 * 1 PING       sender:contact                     -> 2 PONG     (empty)
 * 3 FIND_NODE  sender:contact target(20) excludeCount(1, 0..8) excludedId(20)*
 *                                                 -> 4 NODES    count(1, 0..8) contact* (none excluded)
 * 5 FIND_VALUE sender:contact key(20)             -> 6 VALUE    count(1, 1..8) (len(2, 0..1024) value)*
 *                                                    (at most 7168 value bytes) or 4 NODES when none is stored
 * 7 STORE      sender:contact key(20) len(2, 0..1024) value
 *                                    -> 8 STORED status(1: 0 stored, 1 full, 2 invalid)
 * </pre>
 * Largest message: a NODES of 8 contacts with 300-byte keys, 253-byte hosts and 4 introducers (5,278
 * bytes). Decoders reject truncation, trailing bytes, unknown types, oversized counts and lengths, and a
 * contact whose ID is not SHA-1 of its key, with a {@link org.onionpeer.bytes.ProtocolException}.
 * An answer is matched to its request by (peer ID, request ID); the peer ID is the one the transport
 * authenticated, and a request's sender contact must carry that same ID.
 *
 * <p>A node keeps up to 8 values per key, one per STORE sender, newest first (several sources of one
 * content). With a {@link org.onionpeer.dht.ValueValidator}, a STORE whose value does not verify, or is
 * signed by another node than its sender, is answered INVALID; a lookup ignores values that do not verify
 * (a VALUE holding only such values ends nothing, and its sender gets a strike).
 */
package org.onionpeer.dht;
