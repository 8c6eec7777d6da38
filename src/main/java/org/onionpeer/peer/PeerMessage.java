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
        expect(REGISTER);
        return PeerCert.decode(body);
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
                PeerCert.read(b);
                break;
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
