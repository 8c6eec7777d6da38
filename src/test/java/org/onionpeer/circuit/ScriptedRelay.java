package org.onionpeer.circuit;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Connected;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Created2;
import org.onionpeer.cell.Data;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.End;
import org.onionpeer.cell.Extend2;
import org.onionpeer.crypto.NtorV3;
import org.onionpeer.cell.Extended2;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.RelayMessage;
import org.onionpeer.cell.Sendme;
import org.onionpeer.cert.CertsCell;
import org.onionpeer.cert.LinkBinding;
import org.onionpeer.cert.RelayCredentials;
import org.onionpeer.cert.RelayIdentity;
import org.onionpeer.cert.RelayKeys;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.CreateFast;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.platform.Entropy;
import org.onionpeer.testing.ManualScheduler;
import org.onionpeer.transport.Pipe;

/**
 * A test double for the relay side, written only for the onion proxy's tests: one link responder that plays
 * every hop of a circuit. It answers CREATE2 (ntor) or CREATE_FAST as the guard; an EXTEND2 by answering
 * EXTENDED2 with another ntor server reply as if it were the next hop (it holds one RelayCircuitCrypto layer
 * per hop and peels them in order, as a chain of real relays would); BEGIN with CONNECTED (or END, or
 * nothing, as scripted) and then echoes DATA back; BEGIN_DIR with an HTTP response. Flow control follows
 * tor-spec §7.4 with SENDME v1 on the circuit (checked: a wrong one tears the circuit down) and v0 on streams.
 * It records what it saw so that tests can assert on the wire behaviour of the OP.
 */
public final class ScriptedRelay implements Channel.Handler {
    static final SecureRandom RND = new SecureRandom();
    static final Entropy ENTROPY = RND::nextBytes;
    private static RelayKeys sharedKeys;

    /** One hop this relay can play: its identity, onion key and directory entry. */
    public static final class Hop {
        public final RelayIdentity identity;
        public final Ntor.Keypair onion;
        public final RelayInfo info;

        Hop(RelayIdentity identity, String nick, List<String> addresses, Set<String> flags) {
            this.identity = identity;
            byte[] s = new byte[32];
            RND.nextBytes(s);
            this.onion = Ntor.Keypair.fromSecret(s);
            this.info = new RelayInfo(nick, identity, onion.publicKey(), addresses, flags, "");
        }
    }

    /** A relay-side stream at the exit. */
    public static final class RStream {
        public final int id;
        public final String target;
        public final Window window = Window.stream();
        final ArrayDeque<byte[]> out = new ArrayDeque<>();
        public int minPackageWindow = Window.STREAM_START;
        public int sendmesReceived;
        public long bytesReceived;
        public int endReason = -1;
        /** Congestion control: the OP's XOFF holds this stream until its XON (prop324 §4). */
        public boolean xoffFromOp;
        public int xoffsReceived;
        public int xonsReceived;
        public long lastXonKbps = -1;
        final boolean dir;

        RStream(int id, String target, boolean dir) {
            this.id = id;
            this.target = target;
            this.dir = dir;
        }
    }

    /** A circuit as the relay chain sees it. */
    public static final class RCirc {
        public final Channel channel;
        public final long circId;
        public final List<RelayCircuitCrypto> layers = new ArrayList<>();
        public final List<HopKeys> keys = new ArrayList<>();
        public Window window = Window.circuit();
        /** The sendme_inc this circuit's exit negotiated with the OP, 0 for classic flow control. */
        public int ccSendmeInc;
        public final Map<Integer, RStream> streams = new LinkedHashMap<>();
        public final List<List<LinkSpecifier>> extendSpecifiers = new ArrayList<>();
        public int relayEarly;
        public int circuitSendmesReceived;
        public int circuitSendmesSent;
        public boolean usedCreateFast;
        public boolean destroyed;
        public int destroyReasonReceived = -1;
        /** CONFLUX_LINK / CONFLUX_LINKED_ACK cells the OP sent on this circuit, in order. */
        public final List<RelayCell> confluxReceived = new ArrayList<>();

        RCirc(Channel channel, long circId) {
            this.channel = channel;
            this.circId = circId;
        }

        int last() {
            return layers.size() - 1;
        }

        /**
         * Plays an exit that negotiated congestion control: a SENDME v1 per {@code sendmeInc} DATA cells each way,
         * no stream windows, and {@code cwnd} cells in flight at most (a real exit's congestion window varies;
         * a fixed one is enough to exercise the OP).
         */
        public void enableCongestionControl(int sendmeInc, int cwnd) {
            ccSendmeInc = sendmeInc;
            window = new Window(cwnd, sendmeInc, true);
        }
    }

    public final RelayKeys keys;
    public final List<Hop> hops = new ArrayList<>();
    private final ManualScheduler sched;
    private final RelayPrimitives primitives = new BcRelayPrimitives();
    public final List<RCirc> circuits = new ArrayList<>();
    private final Map<Channel, Map<Long, RCirc>> byChannel = new HashMap<>();
    public final List<Channel> channels = new ArrayList<>();
    /** Problems the relay noticed in what the OP sent: tests assert this stays empty. */
    public final List<String> violations = new ArrayList<>();

    // Script.
    public boolean silent;
    /** Indexes (in {@link #circuits}) of the circuits whose CREATE is answered with DESTROY. */
    public final java.util.Set<Integer> destroyCreates = new java.util.HashSet<>();
    public boolean badSendmeDigest;
    /** host -> END reason answered to BEGIN. */
    public final Map<String, Integer> refuse = new HashMap<>();
    /** hosts whose BEGIN gets no answer, for the next n BEGINs each. */
    public final Map<String, Integer> ignoreBegins = new HashMap<>();
    public byte[] directoryBody = Bytes.ascii("onionpeer-directory 1\nhello\n");
    public int begins;
    public final List<String> beginTargets = new ArrayList<>();
    public final List<Integer> endsReceived = new ArrayList<>();
    /** Echo received DATA back (the default) or only count it. */
    public boolean echo = true;
    /** A misbehaving exit that keeps sending after the OP's XOFF. */
    public boolean ignoreXoff;
    /** The sendme_inc an exit answers an ntor v3 congestion control request with; 0: no CC (cc_alg 0). */
    public int ntorV3SendmeInc = 31;
    /** Answer a CONFLUX_LINK with a LINKED of the same nonce (an exit that links sets, prop329). */
    public boolean answerConfluxLink;
    /** The HTYPE of every EXTEND2 seen, in order. */
    public final List<Integer> handshakeTypes = new ArrayList<>();

    /** A relay with a guard (its real link identity) and {@code extra} virtual hops; the last is an Exit. */
    public ScriptedRelay(ManualScheduler sched, int extra) {
        this.sched = sched;
        this.keys = keys();
        hops.add(new Hop(keys.identity(), "guard", Collections.singletonList("inproc:guard"),
                new HashSet<>(Collections.singletonList(RelayInfo.FLAG_GUARD))));
        for (int i = 1; i <= extra; i++) {
            byte[] rsa = new byte[20];
            byte[] ed = new byte[32];
            RND.nextBytes(rsa);
            RND.nextBytes(ed);
            Set<String> flags = new HashSet<>();
            if (i == extra) {
                flags.add(RelayInfo.FLAG_EXIT);
            }
            hops.add(new Hop(new RelayIdentity(rsa, ed), i == extra ? "exit" : "middle" + i,
                    Collections.singletonList("tls://10.0.0." + (i + 1) + ":" + (9000 + i)), flags));
        }
    }

    static synchronized RelayKeys keys() {
        if (sharedKeys == null) {
            sharedKeys = RelayKeys.generate(RND); // RSA generation is slow: one set for all tests
        }
        return sharedKeys;
    }

    public List<RelayInfo> relayInfos() {
        List<RelayInfo> out = new ArrayList<>();
        for (Hop h : hops) {
            out.add(h.info);
        }
        return out;
    }

    /** A dialer reaching this relay at "inproc:guard"; {@code authenticated} binds CERTS as TLS would. */
    public Dialer dialer(boolean authenticated) {
        return new Dialer() {
            @Override
            public boolean canDial(LinkTarget target) {
                return target.equals(LinkTarget.inproc("guard"));
            }

            @Override
            public void dial(LinkTarget target, DialCallback cb) {
                Pipe p = new Pipe(sched, sched);
                byte[] linkDigest = new byte[32];
                RND.nextBytes(linkDigest);
                CertsCell certs = RelayCredentials.create(keys, sched.epochSeconds()).certsCell(linkDigest, null,
                        sched.epochSeconds());
                Channel ch = Channel.accept(p.b(), sched, ENTROPY, ScriptedRelay.this, null, certs, null, null);
                channels.add(ch);
                sched.execute(() -> cb.connected(p.a(),
                        authenticated ? LinkBinding.expectedDigest(linkDigest) : null, null));
            }
        };
    }

    // ---- Channel.Handler --------------------------------------------------------------------------------

    @Override
    public void opened(Channel channel) {
    }

    @Override
    public void closed(Channel channel, String reason) {
        Map<Long, RCirc> m = byChannel.remove(channel);
        if (m != null) {
            for (RCirc c : m.values()) {
                c.destroyed = true;
            }
        }
    }

    @Override
    public void cell(Channel ch, Cell cell) {
        Map<Long, RCirc> m = byChannel.computeIfAbsent(ch, k -> new HashMap<>());
        RCirc c = m.get(cell.circId());
        int cmd = cell.command();
        if (c == null) {
            if (cmd == CellCommand.CREATE2 || cmd == CellCommand.CREATE_FAST) {
                if (!ch.isPeerCircId(cell.circId()) || !ch.registerPeerCircuit(cell.circId())) {
                    violations.add("bad CircID " + cell.circId());
                    return;
                }
                c = new RCirc(ch, cell.circId());
                m.put(cell.circId(), c);
                circuits.add(c);
                if (silent) {
                    return;
                }
                if (destroyCreates.contains(circuits.size() - 1)) {
                    destroy(c, org.onionpeer.cell.DestroyReason.RESOURCELIMIT);
                    return;
                }
                create(c, cell);
            }
            return;
        }
        if (c.destroyed) {
            return;
        }
        try {
            switch (cmd) {
                case CellCommand.DESTROY:
                    c.destroyReasonReceived = Destroy.decode(cell.payload()).reason();
                    forget(c);
                    return;
                case CellCommand.RELAY:
                case CellCommand.RELAY_EARLY:
                    relay(c, cell);
                    return;
                default:
                    if (!silent) {
                        violations.add("unexpected " + CellCommand.name(cmd));
                    }
            }
        } catch (ProtocolException e) {
            violations.add("protocol: " + e.getMessage());
            destroy(c, org.onionpeer.cell.DestroyReason.PROTOCOL);
        }
    }

    private void create(RCirc c, Cell cell) {
        Hop g = hops.get(0);
        byte[] y;
        HopKeys k;
        if (cell.command() == CellCommand.CREATE_FAST) {
            y = new byte[20];
            RND.nextBytes(y);
            CreateFast.ServerResult r = CreateFast.server(cell.payload(), y);
            c.usedCreateFast = true;
            k = r.keys;
            addLayer(c, k);
            c.channel.send(new Cell(c.circId, CellCommand.CREATED_FAST, r.reply));
            return;
        }
        Create2 c2 = Create2.decode(cell.payload());
        if (c2.handshakeType() != Ntor.HTYPE) {
            violations.add("CREATE2 HTYPE " + c2.handshakeType());
        }
        y = new byte[32];
        RND.nextBytes(y);
        Ntor.ServerResult r = Ntor.server(g.identity.rsaIdentity(), Collections.singletonList(g.onion),
                c2.handshakeData(), y);
        addLayer(c, r.keys);
        c.channel.send(new Cell(c.circId, CellCommand.CREATED2, new Created2(r.reply).encode()));
    }

    private void addLayer(RCirc c, HopKeys k) {
        c.keys.add(k);
        c.layers.add(new RelayCircuitCrypto(k, primitives));
    }

    private void forget(RCirc c) {
        c.destroyed = true;
        Map<Long, RCirc> m = byChannel.get(c.channel);
        if (m != null) {
            m.remove(c.circId);
        }
        c.channel.releaseCircId(c.circId);
    }

    /** Tears a circuit down toward the OP, as a relay would (DESTROY with {@code reason}). */
    public void destroy(RCirc c, int reason) {
        if (c.destroyed) {
            return;
        }
        c.channel.send(new Cell(c.circId, CellCommand.DESTROY, new Destroy(reason).encode()));
        forget(c);
    }

    /** Sends a RELAY cell of random bytes: no hop of the OP can recognize it. */
    public void sendGarbage(RCirc c) {
        byte[] body = new byte[509];
        RND.nextBytes(body);
        c.channel.send(new Cell(c.circId, CellCommand.RELAY, body));
    }

    /** Sends a 509-byte body as originated by hop {@code hop} (stamped and layered correctly). */
    public void sendRaw(RCirc c, int hop, byte[] body) {
        originate(c, hop, body);
    }

    /** Sends a relay message originated by hop {@code hop}. */
    public void send(RCirc c, int hop, int streamId, RelayMessage m) {
        originate(c, hop, RelayCell.of(streamId, m).encode(PaddingSource.ZEROS));
    }

    private void originate(RCirc c, int hop, byte[] body) {
        c.layers.get(hop).originateBackward(body, 0);
        for (int j = hop - 1; j >= 0; j--) {
            c.layers.get(j).relayBackward(body, 0);
        }
        c.channel.send(new Cell(c.circId, CellCommand.RELAY, body));
    }

    private void relay(RCirc c, Cell cell) {
        byte[] body = cell.payload();
        int hop = -1;
        for (int i = 0; i < c.layers.size(); i++) {
            if (c.layers.get(i).decryptForward(body, 0)) {
                hop = i;
                break;
            }
        }
        if (hop < 0) {
            violations.add("unrecognized relay cell");
            destroy(c, org.onionpeer.cell.DestroyReason.PROTOCOL);
            return;
        }
        if (cell.command() == CellCommand.RELAY_EARLY) {
            c.relayEarly++;
        }
        RelayCell rc = RelayCell.decode(body);
        int sid = rc.streamId();
        switch (rc.command()) {
            case RelayCommand.EXTEND2:
                extend(c, hop, cell, Extend2.decode(rc.data()));
                return;
            case RelayCommand.BEGIN:
            case RelayCommand.BEGIN_DIR:
                begin(c, hop, rc);
                return;
            case RelayCommand.DATA:
                data(c, hop, rc);
                return;
            case RelayCommand.SENDME:
                if (sid == 0) {
                    c.circuitSendmesReceived++;
                    try {
                        c.window.sendmeReceived(Sendme.decode(rc.data()).digest());
                    } catch (ProtocolException e) {
                        violations.add("circuit SENDME: " + e.getMessage());
                        destroy(c, org.onionpeer.cell.DestroyReason.PROTOCOL);
                        return;
                    }
                    pumpAll(c);
                } else {
                    if (c.ccSendmeInc != 0) {
                        violations.add("stream SENDME on a congestion-controlled circuit");
                    }
                    RStream s = c.streams.get(sid);
                    if (s != null) {
                        s.sendmesReceived++;
                        s.window.sendmeReceived(null);
                        pump(c, s);
                    }
                }
                return;
            case RelayCommand.XOFF:
            case RelayCommand.XON: {
                RStream s = c.streams.get(sid);
                if (c.ccSendmeInc == 0 || s == null) {
                    violations.add(RelayCommand.name(rc.command()) + " without congestion control or stream");
                    return;
                }
                if (rc.command() == RelayCommand.XOFF) {
                    org.onionpeer.cell.Xoff.decode(rc.data());
                    s.xoffsReceived++;
                    s.xoffFromOp = true;
                } else {
                    s.lastXonKbps = org.onionpeer.cell.Xon.decode(rc.data()).kbpsEwma();
                    s.xonsReceived++;
                    s.xoffFromOp = false;
                    pump(c, s);
                }
                return;
            }
            case RelayCommand.END: {
                RStream s = c.streams.remove(sid);
                int reason = End.decode(rc.data()).reason();
                endsReceived.add(reason);
                if (s != null) {
                    s.endReason = reason;
                }
                return;
            }
            case RelayCommand.CONFLUX_LINK:
                c.confluxReceived.add(rc);
                if (answerConfluxLink) {
                    org.onionpeer.cell.ConfluxLink link = org.onionpeer.cell.ConfluxLink.decode(rc.command(), rc.data());
                    send(c, hop, 0, org.onionpeer.cell.ConfluxLink.linked(link.nonce(), 0, 0, link.desiredUx()));
                }
                return;
            case RelayCommand.CONFLUX_LINKED_ACK:
                c.confluxReceived.add(rc);
                return;
            default:
                violations.add("unexpected relay command " + RelayCommand.name(rc.command()));
        }
    }

    private void extend(RCirc c, int hop, Cell cell, Extend2 ext) {
        if (hop != c.last()) {
            violations.add("EXTEND2 to hop " + hop + " of " + c.layers.size());
        }
        if (cell.command() != CellCommand.RELAY_EARLY) {
            violations.add("EXTEND2 not in RELAY_EARLY");
        }
        c.extendSpecifiers.add(ext.specifiers());
        LinkSpecifier rsa = ext.first(LinkSpecifier.TYPE_RSA_ID);
        Hop next = null;
        for (Hop h : hops) {
            if (rsa != null && Arrays.equals(h.identity.rsaIdentity(), rsa.identity())) {
                next = h;
            }
        }
        if (next == null) {
            violations.add("EXTEND2 to an unknown relay");
            send(c, hop, 0, new org.onionpeer.cell.Truncated(org.onionpeer.cell.DestroyReason.CONNECTFAILED));
            return;
        }
        byte[] y = new byte[32];
        RND.nextBytes(y);
        handshakeTypes.add(ext.handshakeType());
        if (ext.handshakeType() == NtorV3.HTYPE) {
            // An exit of tor 0.4.9: answers the congestion control request with its sendme_inc.
            NtorV3.ServerResult r = NtorV3.Server.respond(next.identity.ed25519Identity(),
                    Collections.singletonList(next.onion), ext.handshakeData(), y,
                    m -> NtorV3.Extensions.decode(m).has(NtorV3.Extensions.CC_FIELD_REQUEST) && ntorV3SendmeInc > 0
                            ? NtorV3.Extensions.ccResponse(ntorV3SendmeInc).encode()
                            : NtorV3.Extensions.empty().encode());
            send(c, hop, 0, new Extended2(r.reply));
            addLayer(c, r.keys);
            if (ntorV3SendmeInc > 0 && NtorV3.Extensions.decode(r.clientMessage).has(NtorV3.Extensions.CC_FIELD_REQUEST)) {
                c.enableCongestionControl(ntorV3SendmeInc, 4 * Window.CIRCUIT_START);
            }
            return;
        }
        Ntor.ServerResult r = Ntor.server(next.identity.rsaIdentity(), Collections.singletonList(next.onion),
                ext.handshakeData(), y);
        // The reply comes from the extending hop, before the new layer exists.
        send(c, hop, 0, new Extended2(r.reply));
        addLayer(c, r.keys);
    }

    private void begin(RCirc c, int hop, RelayCell rc) {
        if (hop != c.last()) {
            violations.add("BEGIN to hop " + hop);
        }
        begins++;
        boolean dir = rc.command() == RelayCommand.BEGIN_DIR;
        String target = "(dir)";
        if (!dir) {
            Begin b = Begin.decode(rc.data());
            target = b.host() + ":" + b.port();
            beginTargets.add(target);
            Integer ignore = ignoreBegins.get(b.host());
            if (ignore != null && ignore > 0) {
                ignoreBegins.put(b.host(), ignore - 1);
                return;
            }
            Integer reason = refuse.get(b.host());
            if (reason != null) {
                send(c, hop, rc.streamId(), End.of(reason));
                return;
            }
        }
        RStream s = new RStream(rc.streamId(), target, dir);
        c.streams.put(rc.streamId(), s);
        send(c, hop, rc.streamId(), dir ? Connected.empty() : Connected.of(IpAddress.ipv4(192, 0, 2, 7), 300));
    }

    private void data(RCirc c, int hop, RelayCell rc) {
        if (hop != c.last()) {
            violations.add("DATA to hop " + hop);
        }
        // Circuit deliver window, SENDME v1 with the digest right after this cell (prop289).
        c.window.delivered();
        if (c.window.sendmeDue()) {
            byte[] d = new byte[20];
            c.layers.get(hop).forwardDigest(d, 0);
            if (badSendmeDigest) {
                d[0] ^= 1;
            }
            send(c, hop, 0, Sendme.authenticated(d));
            c.window.sendmeSent();
            c.circuitSendmesSent++;
        }
        RStream s = c.streams.get(rc.streamId());
        if (s == null) {
            return;
        }
        byte[] bytes = rc.data();
        s.bytesReceived += bytes.length;
        if (c.ccSendmeInc != 0) {
            // prop324 §4: no stream windows; this exit reads at once, so never XOFFs by itself.
            if (echo) {
                s.out.add(bytes);
                pump(c, s);
            }
            return;
        }
        s.window.delivered();
        // The exit consumes at once: acknowledge as soon as due.
        if (s.window.sendmeDue()) {
            send(c, hop, s.id, Sendme.unauthenticated());
            s.window.sendmeSent();
        }
        if (s.dir) {
            String req = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
            if (!req.startsWith("GET ") || !req.endsWith("\r\n\r\n")) {
                violations.add("bad directory request " + req);
            }
            byte[] head = Bytes.ascii("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n");
            s.out.add(Bytes.concat(head, directoryBody));
            pump(c, s);
            if (s.out.isEmpty()) {
                send(c, hop, s.id, End.of(org.onionpeer.cell.EndReason.DONE));
                c.streams.remove(s.id);
            }
            return;
        }
        if (echo) {
            s.out.add(bytes);
            pump(c, s);
        }
    }

    /** The exit sends {@code data} on stream {@code streamId} as its windows (or congestion window) allow. */
    public void exitSends(RCirc c, int streamId, byte[] data) {
        RStream s = c.streams.get(streamId);
        s.out.add(data.clone());
        pump(c, s);
    }

    private void pumpAll(RCirc c) {
        for (RStream s : new ArrayList<>(c.streams.values())) {
            pump(c, s);
        }
    }

    /** Sends queued echo data while both package windows allow. */
    private void pump(RCirc c, RStream s) {
        int hop = c.last();
        boolean cc = c.ccSendmeInc != 0;
        while (!s.out.isEmpty() && (cc ? !s.xoffFromOp || ignoreXoff : s.window.canSend()) && c.window.canSend()
                && !c.destroyed) {
            byte[] head = s.out.poll();
            if (head.length > RelayCell.MAX_DATA_LEN) {
                s.out.addFirst(Arrays.copyOfRange(head, RelayCell.MAX_DATA_LEN, head.length));
                head = Arrays.copyOf(head, RelayCell.MAX_DATA_LEN);
            }
            sendCounted(c, s.id, new Data(head));
            if (!cc) {
                s.window.sent(null);
            }
            s.minPackageWindow = Math.min(s.minPackageWindow, s.window.packageWindow());
        }
    }

    /**
     * The exit sends {@code m} on {@code streamId} counted in the circuit window (the digest kept for the OP's
     * authenticated SENDMEs), whatever the stream's state: a late or misbehaving exit.
     */
    public void sendCounted(RCirc c, int streamId, RelayMessage m) {
        int hop = c.last();
        byte[] body = RelayCell.of(streamId, m).encode(PaddingSource.ZEROS);
        c.layers.get(hop).originateBackward(body, 0);
        byte[] d = null;
        if (c.window.nextSendNeedsDigest()) {
            d = new byte[20];
            c.layers.get(hop).backwardDigest(d, 0);
        }
        c.window.sent(d);
        for (int j = hop - 1; j >= 0; j--) {
            c.layers.get(j).relayBackward(body, 0);
        }
        c.channel.send(new Cell(c.circId, CellCommand.RELAY, body));
    }

    /** The relay circuit whose OP-side CircID is {@code circId}. */
    public RCirc circuit(long circId) {
        for (RCirc c : circuits) {
            if (c.circId == circId && !c.destroyed) {
                return c;
            }
        }
        return null;
    }
}
