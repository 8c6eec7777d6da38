package org.onionpeer.peer;

import org.onionpeer.bytes.ByteReader;
import org.onionpeer.bytes.ByteWriter;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.dht.NodeId;

/**
 * A peer-network message on a link: the payload of a variable-length cell with command {@link #COMMAND} on
 * CircID 0, after the link handshake (see src/docs/peer-protocol.md). Sent only to our own kind of nodes (a
 * bridge, a page, a JVM peer); tor never sees one.
 *
 * <p>Wire form: type (1), peer ID (20), body. The peer ID says whom the message is for when a node sends it
 * to a relaying node (a bridge, or a peer linked to both), and whom it is from when the relaying node passes
 * it on; all zeros means the link's own peer. Bodies:
 * <ul>
 * <li>REGISTER: a {@link PeerCert} whose {@code remote} is this link's AUTH_CHALLENGE challenge: the page
 * proves its ID to its bridge, which may then introduce it and relay DHT messages to it;</li>
 * <li>DHT: one DHT message ({@code org.onionpeer.dht.DhtMessage}); DB_FIND_PEER / DB_FOUND_PEER of the
 * Peersm design are the DHT's FIND_NODE and its answer, whose contacts carry [ID, key, bridge, introducers];</li>
 * <li>INTRODUCE / INTRODUCED: an SDP offer / answer (candidates included: we wait for ICE gathering), as
 * ASCII with a 2-byte length (browsers' descriptions are ASCII; anything else is refused, which also keeps
 * the charset machinery out of the browser bundle);</li>
 * <li>INTRODUCE_FAILED: why the relaying node could not pass an INTRODUCE on (1-byte length, ASCII).</li>
 * <li>RELAY: "pass this on to the peer ID": the body is a whole DHT / INTRODUCE / INTRODUCED /
 * INTRODUCE_FAILED message whose own peer ID is the sender (set by the first relaying node; a relaying node
 * passes on only what it got from the origin or from a federated bridge, never twice). It is how federated
 * bridges hand each other messages for their pages, and how a page asks a peer linked to both sides to pass
 * an introduction on (over a peer link both directions occur, so "to" needs its own type);</li>
 * <li>JOIN: a bridge's {@link PeerCert} over this link's AUTH_CHALLENGE, as REGISTER, asking to federate;</li>
 * <li>PRESENT / ABSENT: between federated bridges, the IDs of pages registered with (or gone from) the sender:
 * a 2-byte count, then the 20-byte IDs.</li>
 * </ul>
 */
public final class PeerMessage {
    /** The cell command: unassigned by tor-spec (which defines up to 132), in the variable-length range. */
    public static final int COMMAND = 0xF0;

    public static final int REGISTER = 1;
    public static final int DHT = 2;
    public static final int INTRODUCE = 3;
    public static final int INTRODUCED = 4;
    public static final int INTRODUCE_FAILED = 5;
    public static final int RELAY = 6;
    public static final int JOIN = 7;
    public static final int PRESENT = 8;
    public static final int ABSENT = 9;
    /** IDs in one PRESENT / ABSENT. */
    public static final int MAX_IDS = 1000;

    /** The INTRODUCE_FAILED reason of a bridge that knows no such page (its tab closed, or it never was). */
    public static final String UNKNOWN_PEER = "unknown peer";

    public static final NodeId LINK_PEER = NodeId.of(new byte[NodeId.BYTES]);
    public static final int MAX_DHT = 8192;

    private final int type;
    private final NodeId peer;
    private final byte[] body;

    private PeerMessage(int type, NodeId peer, byte[] body) {
        this.type = type;
        this.peer = peer;
        this.body = body;
    }

    public static PeerMessage register(PeerCert cert) {
        return new PeerMessage(REGISTER, LINK_PEER, cert.encode());
    }

    public static PeerMessage dht(NodeId peer, byte[] message) {
        if (message.length > MAX_DHT) {
            throw new ProtocolException("DHT message over " + MAX_DHT + " bytes");
        }
        return new PeerMessage(DHT, peer, message.clone());
    }

    public static PeerMessage introduce(NodeId peer, String offer) {
        return new PeerMessage(INTRODUCE, peer, sdp(offer));
    }

    public static PeerMessage introduced(NodeId peer, String answer) {
        return new PeerMessage(INTRODUCED, peer, sdp(answer));
    }

    public static PeerMessage introduceFailed(NodeId peer, String reason) {
        byte[] r = Bytes.ascii(reason.length() > 255 ? reason.substring(0, 255) : reason);
        byte[] b = new byte[1 + Math.min(255, r.length)];
        b[0] = (byte) (b.length - 1);
        System.arraycopy(r, 0, b, 1, b.length - 1);
        return new PeerMessage(INTRODUCE_FAILED, peer, b);
    }

    /** Asks the receiving node to pass {@code inner} (whose peer ID says whom it is from) on to {@code to}. */
    public static PeerMessage relay(NodeId to, PeerMessage inner) {
        if (inner.type < DHT || inner.type > INTRODUCE_FAILED) {
            throw new IllegalArgumentException("a RELAY carries DHT or introduction messages only");
        }
        return new PeerMessage(RELAY, to, inner.encode());
    }

    public static PeerMessage join(PeerCert cert) {
        return new PeerMessage(JOIN, LINK_PEER, cert.encode());
    }

    public static PeerMessage present(java.util.List<NodeId> ids) {
        return idList(PRESENT, ids);
    }

    public static PeerMessage absent(java.util.List<NodeId> ids) {
        return idList(ABSENT, ids);
    }

    private static PeerMessage idList(int type, java.util.List<NodeId> ids) {
        if (ids.isEmpty() || ids.size() > MAX_IDS) {
            throw new IllegalArgumentException("1.." + MAX_IDS + " IDs per message");
        }
        ByteWriter w = new ByteWriter(2 + NodeId.BYTES * ids.size()).u16(ids.size());
        for (NodeId n : ids) {
            w.bytes(n.bytes());
        }
        return new PeerMessage(type, LINK_PEER, w.toByteArray());
    }

    private static byte[] sdp(String s) {
        byte[] b;
        try {
            b = Bytes.ascii(s);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException("session description is not ASCII");
        }
        if (b.length > Sdp.MAX_LENGTH) {
            throw new ProtocolException("session description longer than " + Sdp.MAX_LENGTH + " bytes");
        }
        return new ByteWriter(2 + b.length).u16(b.length).bytes(b).toByteArray();
    }

    /** The same message for another peer ID (a relaying node swaps "to" for "from"). */
    public PeerMessage withPeer(NodeId p) {
        return new PeerMessage(type, p, body);
    }

    public int type() {
        return type;
    }

    public NodeId peer() {
        return peer;
    }

    public PeerCert cert() {
        if (type != REGISTER && type != JOIN) {
            throw new IllegalStateException("not a REGISTER/JOIN");
        }
        return PeerCert.decode(body);
    }

    /** The message a RELAY carries (checked by decode). */
    public PeerMessage inner() {
        expect(RELAY);
        return decode(body);
    }

    /** The IDs of a PRESENT / ABSENT. */
    public java.util.List<NodeId> ids() {
        if (type != PRESENT && type != ABSENT) {
            throw new IllegalStateException("not a PRESENT/ABSENT");
        }
        ByteReader r = new ByteReader(body);
        int n = r.u16();
        java.util.List<NodeId> out = new java.util.ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(NodeId.read(r));
        }
        return out;
    }

    public byte[] dhtMessage() {
        expect(DHT);
        return body.clone();
    }

    public String description() {
        if (type != INTRODUCE && type != INTRODUCED) {
            throw new IllegalStateException("not an INTRODUCE/INTRODUCED");
        }
        ByteReader r = new ByteReader(body);
        return ascii(r.bytes(r.u16()));
    }

    public String reason() {
        expect(INTRODUCE_FAILED);
        ByteReader r = new ByteReader(body);
        return ascii(r.bytes(r.u8()));
    }

    /** Bytes checked to be printable ASCII (or CR/LF/tab) as a string; others were refused by decode. */
    private static String ascii(byte[] b) {
        char[] c = new char[b.length];
        for (int i = 0; i < b.length; i++) {
            c[i] = (char) b[i];
        }
        return new String(c);
    }

    private static void checkAscii(ByteReader r, int n, String what) {
        byte[] b = r.bytes(n);
        for (byte x : b) {
            if ((x < 0x20 || x > 0x7e) && x != '\r' && x != '\n' && x != '\t') {
                throw new ProtocolException(what + " has a byte that is not printable ASCII");
            }
        }
    }

    private void expect(int t) {
        if (type != t) {
            throw new IllegalStateException("message type " + type + ", not " + t);
        }
    }

    public byte[] encode() {
        return new ByteWriter(21 + body.length).u8(type).bytes(peer.bytes()).bytes(body).toByteArray();
    }

    /** Parses and checks a message: its body must be complete and well-formed, with nothing after it. */
    public static PeerMessage decode(byte[] payload) {
        ByteReader r = new ByteReader(payload);
        int type = r.u8();
        NodeId peer = NodeId.read(r);
        byte[] body = r.rest();
        PeerMessage m = new PeerMessage(type, peer, body);
        ByteReader b = new ByteReader(body);
        switch (type) {
            case REGISTER:
            case JOIN:
                PeerCert.read(b);
                break;
            case RELAY: {
                if (body.length == 0 || body[0] == RELAY) {
                    throw new ProtocolException("a RELAY must carry one DHT or introduction message");
                }
                PeerMessage inner = decode(body);
                if (inner.type < DHT || inner.type > INTRODUCE_FAILED) {
                    throw new ProtocolException("a RELAY must carry one DHT or introduction message");
                }
                b.skip(body.length);
                break;
            }
            case PRESENT:
            case ABSENT: {
                int n = b.u16();
                if (n == 0 || n > MAX_IDS) {
                    throw new ProtocolException("ID count out of 1.." + MAX_IDS);
                }
                b.skip(n * NodeId.BYTES);
                break;
            }
            case DHT:
                if (body.length == 0 || body.length > MAX_DHT) {
                    throw new ProtocolException("DHT message length out of 1.." + MAX_DHT);
                }
                b.skip(body.length);
                break;
            case INTRODUCE:
            case INTRODUCED: {
                int n = b.u16();
                if (n == 0 || n > Sdp.MAX_LENGTH) {
                    throw new ProtocolException("session description length out of 1.." + Sdp.MAX_LENGTH);
                }
                checkAscii(b, n, "session description");
                break;
            }
            case INTRODUCE_FAILED:
                checkAscii(b, b.u8(), "reason");
                break;
            default:
                throw new ProtocolException("unknown peer message type " + type);
        }
        if (b.hasRemaining()) {
            throw new ProtocolException("peer message has " + b.remaining() + " extra bytes");
        }
        return m;
    }
}
