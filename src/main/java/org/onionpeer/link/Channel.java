package org.onionpeer.link;

import java.util.HashSet;
import java.util.Set;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.AuthChallenge;
import org.onionpeer.cell.Authenticate;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.CellReader;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.LinkFormat;
import org.onionpeer.cell.LinkVersions;
import org.onionpeer.cell.Netinfo;
import org.onionpeer.cell.Versions;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.CertsValidator;
import org.onionpeer.cert.LinkAuthKeys;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Transport;

/**
 * One link (tor-spec "channel") between two nodes over any reliable ordered {@link Transport}: the link
 * handshake (tor-spec §4: VERSIONS, CERTS, AUTH_CHALLENGE, NETINFO), cell framing for the negotiated link
 * protocol, circuit-ID allocation, and the limits that keep a hostile peer from costing us unbounded memory.
 *
 * <p>As initiator we authenticate the responder from its CERTS cell. Only when the transport can bind the
 * type-5 certificate to itself (TLS: SHA-256 of the peer's TLS certificate) is the link
 * {@link #isAuthenticated() authenticated}; over plain WebSocket or WebRTC a CERTS cell proves nothing a
 * man in the middle could not replay, so the link stays unauthenticated and circuits over it must use
 * ntor against the relay's known keys (never CREATE_FAST). A relay given {@link #authenticateAs} keys
 * answers AUTH_CHALLENGE with CERTS and AUTHENTICATE (AUTH0003) when the transport exports RFC 5705 keying
 * material (TLS on Java 25+), so tor relays see it as the relay it is; otherwise, and always for an onion
 * proxy, it stays a client to them. As responder we verify an initiator's CERTS and AUTH0003 when our
 * transport can export too, and then know its {@link #peerIdentity}; else initiators stay unauthenticated
 * to us. PADDING, VPADDING and PADDING_NEGOTIATE (C tor clients send it after NETINFO) are ignored.
 *
 * <p>Single-threaded: every method is called on the node's scheduler.
 */
public final class Channel implements Transport.Listener {
    public enum Role { INITIATOR, RESPONDER }

    public enum State { HANDSHAKING, OPEN, CLOSED }

    /** What the node hears from a channel. */
    public interface Handler {
        void opened(Channel channel);

        /** A cell for a circuit (CircID != 0), after the handshake. */
        void cell(Channel channel, Cell cell);

        /** Called once, whatever closed the channel. */
        void closed(Channel channel, String reason);

        /** A peer-network message (command {@link #PEER_COMMAND} on CircID 0), after the handshake. */
        default void linkMessage(Channel channel, byte[] payload) {
        }
    }

    /** Our link-level peer-network messages ({@code org.onionpeer.peer.PeerMessage}); unassigned by tor. */
    public static final int PEER_COMMAND = 0xF0;

    /** Told of every byte a link queues on its transport (the node's memory budget). */
    public interface QueueObserver {
        void queued(int bytes);
    }

    /** Explicit bounds; the defaults suit a relay. */
    public static final class Limits {
        public int maxCircuits = 2048;
        public long handshakeTimeoutMillis = 30_000;
        public long maxQueuedBytes = 16L << 20;
        public int maxVarPayload = Cell.MAX_VAR_PAYLOAD_LEN;
        public int maxReaderBuffer = CellReader.DEFAULT_MAX_BUFFERED;
        /**
         * An open link on which we sent nothing for this long gets a PADDING cell (tor-spec §3: keepalive), so
         * that idle-closing middleboxes and the bridge's WebSocket (closed after 5 idle minutes) keep it; 0: never.
         */
        public long keepaliveMillis = 2 * 60_000;
        /**
         * An open link from which nothing at all arrived for this long is closed; 0: never. C tor sends a
         * keepalive every KeepalivePeriod (5 minutes), so a live tor peer is never closed by the default.
         */
        public long idleTimeoutMillis = 10 * 60_000;
    }

    private final Role role;
    private final Transport transport;
    private final Scheduler scheduler;
    private final Entropy entropy;
    private final Handler handler;
    private final Limits limits;
    private final CellReader reader;
    /** Where each fixed-size cell is encoded before the transport copies it (loop-confined, reused). */
    private final byte[] scratch = new byte[LinkFormat.V4.fixedCellLen()];
    private final Set<Long> circuits = new HashSet<>();

    // Initiator side.
    private final LinkBinding binding;
    private final RelayIdentity expectedIdentity;
    // Responder side.
    private final CertsCell ourCerts;
    // Both sides of a peer link (then binding and ourCerts are unused).
    private PeerAuth peerAuth;
    /** The AUTH_CHALLENGE challenge of this link (sent as responder, received as initiator). */
    private byte[] challenge;
    private final IpAddress peerAddress;
    private final IpAddress ourAddress;

    private State state = State.HANDSHAKING;
    private LinkFormat format = LinkFormat.INITIAL;
    private int version;
    private boolean gotCerts;
    private boolean gotAuthChallenge;
    private RelayIdentity peerIdentity;
    private boolean authenticated;
    private boolean transportBound;
    private Scheduler.Cancellable handshakeTimer;
    private Scheduler.Cancellable linkTimer;
    private QueueObserver queueObserver;
    private long queuedTotal;
    private long receivedTotal;
    private long startedMillis;
    private long handshakeRtt = -1;
    private long lastSentMillis;
    private long lastReceivedMillis;
    private String closeReason;
    private final LinkAuthentication auth = new LinkAuthentication();
    private LinkAuthKeys authKeys;

    private Channel(Role role, Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, LinkBinding binding, RelayIdentity expectedIdentity, CertsCell ourCerts,
            IpAddress peerAddress, IpAddress ourAddress) {
        this.role = role;
        this.transport = transport;
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.handler = handler;
        this.limits = limits == null ? new Limits() : limits;
        this.binding = binding;
        this.expectedIdentity = expectedIdentity;
        this.ourCerts = ourCerts;
        this.peerAddress = peerAddress == null ? IpAddress.ipv4(0, 0, 0, 0) : peerAddress;
        this.ourAddress = ourAddress;
        this.reader = new CellReader(this.limits.maxVarPayload, this.limits.maxReaderBuffer);
    }

    /**
     * Starts a link as initiator. {@code binding} ties the responder's type-5 certificate to this transport
     * (null when the transport cannot: WebSocket, WebRTC); {@code expectedIdentity}, when known, must be
     * the identity the CERTS cell proves (when it is {@link RelayIdentity#rsaOnly}, only its RSA half is checked).
     */
    public static Channel initiate(Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, LinkBinding binding, RelayIdentity expectedIdentity, IpAddress peerAddress) {
        return initiate(transport, scheduler, entropy, handler, limits, binding, expectedIdentity, peerAddress, null);
    }

    /** As above, telling {@code observer} (may be null) of every byte queued, from VERSIONS on. */
    public static Channel initiate(Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, LinkBinding binding, RelayIdentity expectedIdentity, IpAddress peerAddress,
            QueueObserver observer) {
        Channel c = new Channel(Role.INITIATOR, transport, scheduler, entropy, handler, limits, binding,
                expectedIdentity, null, peerAddress, null);
        c.queueObserver = observer;
        c.start();
        c.sendNow(LinkVersions.ours().toCell(0));
        return c;
    }

    /**
     * Accepts a link as responder, presenting {@code ourCerts} (made for this link: its type-5 certificate
     * certifies this transport's binding).
     */
    public static Channel accept(Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, CertsCell ourCerts, IpAddress peerAddress, IpAddress ourAddress) {
        return accept(transport, scheduler, entropy, handler, limits, ourCerts, peerAddress, ourAddress, null);
    }

    /** As above, telling {@code observer} (may be null) of every byte queued. */
    public static Channel accept(Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, CertsCell ourCerts, IpAddress peerAddress, IpAddress ourAddress, QueueObserver observer) {
        Channel c = new Channel(Role.RESPONDER, transport, scheduler, entropy, handler, limits, null, null,
                ourCerts, peerAddress, ourAddress);
        c.queueObserver = observer;
        c.start();
        return c;
    }

    /** Starts a peer link as initiator (both sides prove an identity with {@code auth}'s certificates). */
    public static Channel initiatePeer(Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, PeerAuth auth, RelayIdentity expectedIdentity, QueueObserver observer) {
        Channel c = new Channel(Role.INITIATOR, transport, scheduler, entropy, handler, limits, null,
                expectedIdentity, null, null, null);
        c.peerAuth = auth;
        c.queueObserver = observer;
        c.start();
        c.sendNow(LinkVersions.ours().toCell(0));
        return c;
    }

    /** Accepts a peer link as responder. */
    public static Channel acceptPeer(Transport transport, Scheduler scheduler, Entropy entropy, Handler handler,
            Limits limits, PeerAuth auth, QueueObserver observer) {
        Channel c = new Channel(Role.RESPONDER, transport, scheduler, entropy, handler, limits, null, null,
                null, null, null);
        c.peerAuth = auth;
        c.queueObserver = observer;
        c.start();
        return c;
    }

    private void start() {
        startedMillis = scheduler.nowMillis();
        transport.setListener(this);
        handshakeTimer = scheduler.schedule(limits.handshakeTimeoutMillis,
                () -> close("link handshake timed out"));
    }

    public Role role() {
        return role;
    }

    public State state() {
        return state;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    /** The negotiated link protocol version (0 before VERSIONS). */
    public int linkVersion() {
        return version;
    }

    /**
     * Makes this initiating link authenticate with {@code keys} (a relay's), if the responder asks and the
     * transport can bind it; call right after {@link #initiate}, before the responder's cells arrive.
     */
    public void authenticateAs(LinkAuthKeys keys) {
        this.authKeys = keys;
    }

    /**
     * As initiator: the identity the responder proved with its CERTS cell. As responder: the identity an
     * initiator proved with AUTHENTICATE, else null. On a peer link, either side's peer certificate.
     */
    public RelayIdentity peerIdentity() {
        return peerIdentity;
    }

    /**
     * As responder, when the initiator did not AUTHENTICATE: a higher layer proved who it is on this very
     * link (a page's registration, signed over this link's AUTH_CHALLENGE challenge), so circuits may be
     * extended to it over this link. Not {@link #isAuthenticated()}: CREATE_FAST stays refused.
     */
    public void provenBy(RelayIdentity id) {
        if (role() != Role.RESPONDER || peerIdentity != null) {
            throw new IllegalStateException("the link's peer identity is already known");
        }
        peerIdentity = id;
    }

    /**
     * True when the responder's CERTS chain was verified and bound to this very transport (TLS). Only
     * then may a circuit's first hop use CREATE_FAST.
     */
    public boolean isAuthenticated() {
        return authenticated;
    }

    /**
     * True when the transport under this link is TLS with a certificate the CERTS exchange is bound to
     * (for the initiator: verified; for the responder: our own TLS certificate). Relays accept
     * CREATE_FAST only on such links.
     */
    public boolean isTransportBound() {
        return transportBound;
    }

    /** Bytes received on this link since it started. */
    public long receivedTotal() {
        return receivedTotal;
    }

    /** As initiator: the round trip of the VERSIONS exchange in ms (a link's RTT estimate); else -1. */
    public long handshakeRttMillis() {
        return handshakeRtt;
    }

    /** True on a link between peers ({@link PeerAuth}): each side proved its identity, nothing is TLS-bound. */
    public boolean isPeerLink() {
        return peerAuth != null;
    }

    /** This link's AUTH_CHALLENGE challenge (what a page signs to register with its bridge), or null. */
    public byte[] authChallenge() {
        return challenge == null ? null : challenge.clone();
    }

    /** Sends a peer-network message on the open link. */
    public void sendLinkMessage(byte[] payload) {
        send(new Cell(0, PEER_COMMAND, payload));
    }

    void markTransportBound() {
        transportBound = true;
    }

    public String closeReason() {
        return closeReason;
    }

    /** The peer's address as the platform gave it at accept or dial (0.0.0.0 when it did not). */
    public IpAddress peerAddress() {
        return peerAddress;
    }

    /** The transport underneath: for the platform's diagnostics and tests, never for sending around us. */
    public Transport transport() {
        return transport;
    }

    public long bufferedAmount() {
        return transport.bufferedAmount();
    }

    /** Bytes ever handed to the transport: with {@link #bufferedAmount} it shows whether the queue drains. */
    public long queuedTotal() {
        return queuedTotal;
    }

    // ---- circuits -------------------------------------------------------------------------------------

    public int circuitCount() {
        return circuits.size();
    }

    public boolean atCircuitLimit() {
        return circuits.size() >= limits.maxCircuits;
    }

    /**
     * A fresh CircID for a circuit we originate, with the high bit that tor-spec §5.1.1 gives our role
     * (initiator: set; responder: clear), unused on this link. Returns 0 when the link is full.
     */
    public long allocateCircId() {
        if (atCircuitLimit() || state != State.OPEN) {
            return 0;
        }
        long high = format.circIdLen() == 4 ? 0x80000000L : 0x8000L;
        long mask = high - 1;
        byte[] r = new byte[4];
        for (int attempt = 0; attempt < 64; attempt++) {
            entropy.nextBytes(r);
            long id = (((r[0] & 0xffL) << 24) | ((r[1] & 0xff) << 16) | ((r[2] & 0xff) << 8) | (r[3] & 0xff)) & mask;
            if (role == Role.INITIATOR) {
                id |= high;
            }
            if (id != 0 && !circuits.contains(id)) {
                circuits.add(id);
                return id;
            }
        }
        return 0;
    }

    /** True when {@code circId} has the high bit the peer's role must use (it opened that circuit). */
    public boolean isPeerCircId(long circId) {
        if (circId == 0) {
            return false;
        }
        long high = format.circIdLen() == 4 ? 0x80000000L : 0x8000L;
        boolean highSet = (circId & high) != 0;
        return role == Role.RESPONDER ? highSet : !highSet;
    }

    /** Records a circuit the peer opened; false if the ID is taken or the link is at its limit. */
    public boolean registerPeerCircuit(long circId) {
        if (atCircuitLimit() || circuits.contains(circId)) {
            return false;
        }
        circuits.add(circId);
        return true;
    }

    public void releaseCircId(long circId) {
        circuits.remove(circId);
    }

    public boolean hasCircuit(long circId) {
        return circuits.contains(circId);
    }

    // ---- sending ---------------------------------------------------------------------------------------

    /** Sends a cell on the open link. Cells sent on a closed link are dropped. */
    public void send(Cell cell) {
        if (state != State.OPEN) {
            return;
        }
        sendNow(cell);
    }

    private void sendNow(Cell cell) {
        if (state == State.CLOSED) {
            return;
        }
        if (transport.bufferedAmount() > limits.maxQueuedBytes) {
            close("output queue over " + limits.maxQueuedBytes + " bytes");
            return;
        }
        // VERSIONS always travels with a 2-byte CircID, whatever was negotiated (tor-spec §3).
        LinkFormat f = cell.command() == CellCommand.VERSIONS ? LinkFormat.INITIAL : format;
        int n = cell.encodedLength(f);
        if (state == State.HANDSHAKING || n > scratch.length) {
            byte[] wire = cell.encode(f);
            if (state == State.HANDSHAKING) {
                auth.sent(cell.command(), wire);
            }
            transport.send(wire);
        } else {
            // Encoded into the link's scratch, which the transport copies from: no array per cell sent.
            cell.encode(scratch, 0, f);
            transport.send(scratch, 0, n);
        }
        lastSentMillis = scheduler.nowMillis();
        queuedTotal += n;
        if (queueObserver != null) {
            queueObserver.queued(n);
        }
    }

    // ---- receiving -------------------------------------------------------------------------------------

    @Override
    public void onData(byte[] data) {
        lastReceivedMillis = scheduler.nowMillis();
        receivedTotal += data.length;
        int off = 0;
        try {
            while (state != State.CLOSED && off < data.length) {
                off += reader.offer(data, off, data.length - off);
                Cell c;
                // Cells view the reader's buffer (no allocation per cell); one its handler kept gets its own
                // copy before the next offer reuses the buffer.
                while (state != State.CLOSED && (c = reader.nextView()) != null) {
                    try {
                        if (state == State.HANDSHAKING) {
                            handshake(c);
                        } else {
                            dispatch(c);
                        }
                    } finally {
                        c.detach();
                    }
                }
            }
        } catch (ProtocolException e) {
            close("protocol error: " + e.getMessage());
        }
    }

    @Override
    public void onClosed(String reason) {
        finish(reason == null ? "transport closed" : reason);
    }

    private void dispatch(Cell c) {
        int cmd = c.command();
        if (cmd == CellCommand.PADDING || cmd == CellCommand.VPADDING) {
            return;
        }
        if (c.circId() == 0) {
            // Link-level cells after the handshake: tor tolerates a late NETINFO or PADDING_NEGOTIATE.
            if (cmd == CellCommand.NETINFO || cmd == CellCommand.PADDING_NEGOTIATE) {
                return;
            }
            if (cmd == PEER_COMMAND) {
                handler.linkMessage(this, c.payload());
                return;
            }
            throw new ProtocolException(CellCommand.name(cmd) + " cell on CircID 0 after the handshake");
        }
        handler.cell(this, c);
    }

    private void handshake(Cell c) {
        int cmd = c.command();
        auth.received(c, format);
        if (cmd == CellCommand.VPADDING || cmd == CellCommand.PADDING) {
            return;
        }
        if (version == 0) {
            if (cmd != CellCommand.VERSIONS) {
                throw new ProtocolException("expected VERSIONS, got " + CellCommand.name(cmd));
            }
            version = LinkVersions.negotiate(Versions.decode(c.payload()));
            if (role == Role.INITIATOR) {
                handshakeRtt = scheduler.nowMillis() - startedMillis; // our VERSIONS out, theirs back
            }
            reader.setLinkVersion(version);
            format = LinkFormat.forVersion(version);
            if (role == Role.RESPONDER && peerAuth != null) {
                // Peers prove themselves with CERTS both ways; there is no AUTHENTICATE to challenge.
                sendNow(LinkVersions.ours().toCell(0));
                sendNow(new Cell(0, CellCommand.CERTS, peerAuth.ours().encode()));
                sendNow(new Netinfo(scheduler.epochSeconds(), peerAddress, new java.util.ArrayList<>()).toCell(0));
            } else if (role == Role.RESPONDER) {
                sendNow(LinkVersions.ours().toCell(0));
                sendNow(new Cell(0, CellCommand.CERTS, ourCerts.encode()));
                challenge = new byte[AuthChallenge.CHALLENGE_LEN];
                entropy.nextBytes(challenge);
                sendNow(new AuthChallenge(challenge, new int[] {AuthChallenge.METHOD_ED25519_SHA256_RFC5705})
                        .toCell(0));
                java.util.List<IpAddress> mine = new java.util.ArrayList<>();
                if (ourAddress != null) {
                    mine.add(ourAddress);
                }
                sendNow(new Netinfo(scheduler.epochSeconds(), peerAddress, mine).toCell(0));
            }
            return;
        }
        if (c.circId() != 0) {
            throw new ProtocolException(CellCommand.name(cmd) + " on a circuit before the link is open");
        }
        if (role == Role.INITIATOR) {
            initiatorStep(c);
        } else {
            responderStep(c);
        }
    }

    private void initiatorStep(Cell c) {
        switch (c.command()) {
            case CellCommand.CERTS: {
                if (gotCerts) {
                    throw new ProtocolException("second CERTS cell");
                }
                gotCerts = true;
                CertsCell certs = CertsCell.decode(c.payload());
                if (peerAuth != null) {
                    RelayIdentity pid = peerAuth.verify(certs, scheduler.epochSeconds());
                    if (expectedIdentity != null && !expectedIdentity.matches(pid)) {
                        throw new ProtocolException("peer is " + pid.fingerprint() + ", expected "
                                + expectedIdentity.fingerprint());
                    }
                    peerIdentity = pid;
                    authenticated = true;
                    return;
                }
                LinkBinding b = binding != null ? binding : certifiedKey -> true;
                RelayIdentity id = CertsValidator.validateResponder(certs, b, scheduler.epochSeconds());
                // An expected identity may know only the RSA fingerprint (RelayIdentity.rsaOnly): then the
                // proven identity supplies the Ed25519 key.
                if (expectedIdentity != null && !expectedIdentity.matches(id)) {
                    throw new ProtocolException("responder is " + id.fingerprint() + ", expected "
                            + expectedIdentity.fingerprint());
                }
                peerIdentity = id;
                auth.peerCerts(certs);
                authenticated = binding != null;
                transportBound = binding != null;
                return;
            }
            case CellCommand.AUTH_CHALLENGE:
                if (!gotCerts || gotAuthChallenge) {
                    throw new ProtocolException("AUTH_CHALLENGE out of order");
                }
                AuthChallenge challenge = AuthChallenge.decode(c.payload());
                // We keep the challenge too (a page signs it to register with its bridge).
                this.challenge = challenge.challenge();
                gotAuthChallenge = true;
                // Only over TLS (transportBound): AUTH0003 signs the TLS exporter and certificate.
                if (authKeys != null && transportBound
                        && challenge.offers(AuthChallenge.METHOD_ED25519_SHA256_RFC5705)) {
                    auth.authenticate(authKeys, peerIdentity, transport, entropy, this::sendNow);
                }
                return;
            case CellCommand.NETINFO:
                if (!gotCerts) {
                    throw new ProtocolException("NETINFO before CERTS");
                }
                Netinfo.decode(c.payload());
                if (peerAuth != null) {
                    sendNow(new Cell(0, CellCommand.CERTS, peerAuth.ours().encode()));
                }
                sendNow(Netinfo.forClient(peerAddress).toCell(0));
                open();
                return;
            default:
                throw new ProtocolException("unexpected " + CellCommand.name(c.command()) + " in the link handshake");
        }
    }

    private void responderStep(Cell c) {
        if (peerAuth != null) {
            peerResponderStep(c);
            return;
        }
        switch (c.command()) {
            case CellCommand.CERTS:
                // A relay authenticating itself as initiator (tor-spec §4.2-4.4: CERTS with types 2/4/6/7,
                // then AUTHENTICATE). AUTH0003 signs the RFC 5705 TLS exporter, so it can be checked only on
                // TLS where the platform exports (JDK 25+; not JDK 17, not a browser): elsewhere the peer stays
                // unauthenticated, a client to us, as tor treats an initiator that did not authenticate.
                if (gotCerts) {
                    throw new ProtocolException("second CERTS cell");
                }
                gotCerts = true;
                CertsCell theirs = CertsCell.decode(c.payload());
                if (transportBound) {
                    auth.initiatorCerts(theirs, transport, scheduler.epochSeconds());
                }
                return;
            case CellCommand.AUTHENTICATE:
                Authenticate a = Authenticate.decode(c.payload());
                if (auth.canVerify()) {
                    peerIdentity = auth.verify(a, ourCerts);
                }
                return;
            case CellCommand.NETINFO:
                Netinfo.decode(c.payload());
                open();
                return;
            default:
                throw new ProtocolException("unexpected " + CellCommand.name(c.command()) + " in the link handshake");
        }
    }

    private void peerResponderStep(Cell c) {
        switch (c.command()) {
            case CellCommand.CERTS:
                if (gotCerts) {
                    throw new ProtocolException("second CERTS cell");
                }
                gotCerts = true;
                peerIdentity = peerAuth.verify(CertsCell.decode(c.payload()), scheduler.epochSeconds());
                authenticated = true;
                return;
            case CellCommand.NETINFO:
                if (!gotCerts) {
                    throw new ProtocolException("NETINFO before CERTS");
                }
                Netinfo.decode(c.payload());
                open();
                return;
            default:
                throw new ProtocolException("unexpected " + CellCommand.name(c.command()) + " in the link handshake");
        }
    }

    private void open() {
        state = State.OPEN;
        auth.done();
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        armLinkTimer();
        handler.opened(this);
    }

    /** One timer per open link for both keepalive and idle timeout, due at whichever comes first. */
    private void armLinkTimer() {
        long due = Long.MAX_VALUE;
        if (limits.keepaliveMillis > 0) {
            due = Math.min(due, lastSentMillis + limits.keepaliveMillis);
        }
        if (limits.idleTimeoutMillis > 0) {
            due = Math.min(due, lastReceivedMillis + limits.idleTimeoutMillis);
        }
        if (due != Long.MAX_VALUE) {
            linkTimer = scheduler.schedule(Math.max(0, due - scheduler.nowMillis()), this::linkTimerFired);
        }
    }

    private void linkTimerFired() {
        linkTimer = null;
        if (state != State.OPEN) {
            return;
        }
        long now = scheduler.nowMillis();
        if (limits.idleTimeoutMillis > 0 && now - lastReceivedMillis >= limits.idleTimeoutMillis) {
            close("idle timeout: nothing received for " + limits.idleTimeoutMillis / 1000 + " s");
            return;
        }
        if (limits.keepaliveMillis > 0 && now - lastSentMillis >= limits.keepaliveMillis) {
            sendNow(new Cell(0, CellCommand.PADDING, new byte[0]));
        }
        if (state == State.OPEN) {
            armLinkTimer();
        }
    }

    // ---- closing ---------------------------------------------------------------------------------------

    /** Closes the link and its transport; the handler hears {@code closed} once. */
    public void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        transport.close(reason);
        finish(reason);
    }

    private void finish(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closeReason = reason;
        if (handshakeTimer != null) {
            handshakeTimer.cancel();
        }
        if (linkTimer != null) {
            linkTimer.cancel();
        }
        handler.closed(this, reason);
    }

    @Override
    public String toString() {
        return "Channel[" + role + " v" + version + " " + state
                + (peerIdentity != null ? " " + peerIdentity.fingerprint().substring(0, 8) : "") + "]";
    }
}
