package org.onionpeer.circuit;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.Extend2;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.RelayMessage;
import org.onionpeer.cell.Sendme;
import org.onionpeer.cell.Truncated;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.RelayPrimitives;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.link.Channel;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * An onion proxy's circuit (tor-spec §5, §6, §7): built hop by hop over its first hop's {@link Channel},
 * carrying {@link ClientStream}s to its last hop.
 *
 * <p>Building: the first hop is created with CREATE2/ntor against the relay's published identity and ntor
 * key, or with CREATE_FAST only when the caller allows it and the link is authenticated (its CERTS bound to
 * TLS, tor-spec §5.1.3: CREATE_FAST proves nothing on its own); every further hop with a RELAY_EARLY EXTEND2
 * to the current last hop (at most {@link #MAX_RELAY_EARLY} per circuit, tor-spec §5.6). A timer bounds the
 * whole build. The handshake in flight is a {@link PendingHop}; each relay of the path has a {@link Hop} (its
 * keys and crypto layer once made, its circuit window, what it negotiated).
 *
 * <p>Flow control: one circuit window toward and from the last hop (tor-spec §7.4) with authenticated
 * SENDME v1 both ways (prop289). When the last hop's handshake negotiated congestion control (proposal 324,
 * see {@link #enableCongestionControl}), that window acknowledges every negotiated {@code sendme_inc} DATA cells
 * instead of every 100 and sends under Vegas, and streams use XON/XOFF instead of stream SENDMEs (prop324 §4;
 * see {@link StreamFlow}). The streams themselves, open and half-closed, are kept by {@link CircuitStreams}.
 *
 * <p>Conflux (proposal 329): a circuit may be a leg of a {@link ConfluxSet}, which sees the last hop's cells first
 * and hands the multiplexed ones (DATA, END, CONNECTED...) of all its legs to its primary leg's
 * {@link #dispatch} in sequence order; each leg keeps its own window and SENDMEs.
 *
 * <p>Everything from the network is decoded defensively: a bad cell closes this circuit with a reason, never
 * throws into the channel. Single-threaded: all calls on the node's scheduler.
 */
public final class ClientCircuit implements CircuitMap.Endpoint {
    /** tor-spec §5.6: a relay refuses more than 8 RELAY_EARLY cells on one circuit. */
    public static final int MAX_RELAY_EARLY = 8;
    public static final int MAX_HOPS = MAX_RELAY_EARLY + 1;
    /** tor's default consensus cc_sendme_inc (SENDME_INC_DFLT = TLS_RECORD_MAX_CELLS = 31; prop324 §6.5). */
    public static final int DEFAULT_SENDME_INC = 31;
    /** The consensus range of cc_sendme_inc (prop324 §6.5: [1, 255]). */
    public static final int MAX_SENDME_INC = 255;

    public enum State { BUILDING, OPEN, CLOSED }

    /** What the owner (the onion proxy) hears from a circuit; each is called at most once. */
    public interface Listener {
        void built(ClientCircuit circuit);

        /** The circuit is gone (build failure or later): every stream on it has ended. */
        void closed(ClientCircuit circuit, String reason);
    }

    private final Channel channel;
    private final CircuitMap map;
    private final Scheduler scheduler;
    private final Entropy entropy;
    private final List<RelayInfo> path;
    private final CircuitOptions options;
    private final Listener listener;
    private final RelayPrimitives primitives;
    /** The onion of the hops made so far (their layers, in order). */
    private final ClientCircuitCrypto crypto;
    private final PaddingSource padding;
    /** One per relay of the path, made up front; a hop's keys arrive with its CREATED/EXTENDED. */
    private final Hop[] hops;
    private final CircuitStreams streams;
    /** An application protocol with relay commands of its own at the last hop (ORDB), or null. */
    private Extension extension;
    /** The conflux set this circuit is a leg of, or null. */
    private Conflux conflux;
    /** Scratch for SENDME digests; no allocation per cell otherwise. */
    private final byte[] digest = new byte[Window.DIGEST_LEN];

    private State state = State.BUILDING;
    private long circId;
    /** The handshake in flight, the RELAY_EARLY budget, the build timer. */
    private final CircuitBuild build;
    private String closeReason;
    private boolean built;

    /**
     * A circuit through {@code path} (1..{@link #MAX_HOPS} relays, the first being the peer of
     * {@code channel}); nothing is sent until {@link #start}.
     */
    public ClientCircuit(Channel channel, CircuitMap map, Scheduler scheduler, Entropy entropy,
            RelayPrimitives primitives, List<RelayInfo> path, CircuitOptions options, Listener listener) {
        if (path.isEmpty() || path.size() > MAX_HOPS) {
            throw new IllegalArgumentException("a circuit has 1.." + MAX_HOPS + " hops, not " + path.size());
        }
        this.channel = channel;
        this.map = map;
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.path = Collections.unmodifiableList(new ArrayList<>(path));
        this.options = options == null ? new CircuitOptions() : options;
        this.listener = listener;
        this.primitives = primitives;
        this.crypto = new ClientCircuitCrypto(primitives);
        this.hops = new Hop[this.path.size()];
        for (int i = 0; i < hops.length; i++) {
            hops[i] = new Hop(i, this.path.get(i));
        }
        this.padding = (buf, off, len) -> {
            byte[] r = new byte[len];
            entropy.nextBytes(r);
            System.arraycopy(r, 0, buf, off, len);
        };
        byte[] r = new byte[2];
        entropy.nextBytes(r);
        this.streams = new CircuitStreams(((r[0] & 0xff) << 8) | (r[1] & 0xff));
        this.build = new CircuitBuild(entropy);
    }

    /** Sends the first handshake; failures (closed link, no CircID, wrong peer) arrive as {@code closed}. */
    public void start() {
        if (state != State.BUILDING || circId != 0 || closeReason != null) {
            return;
        }
        if (!channel.isOpen()) {
            finish("link is not open", false);
            return;
        }
        RelayInfo first = path.get(0);
        if (!first.identity().matches(channel.peerIdentity())) {
            finish("link peer is not " + first, false);
            return;
        }
        boolean createFast = options.allowCreateFast && channel.isAuthenticated();
        if (!createFast && first.ntorKey() == null) {
            finish("no ntor key for " + first + ", and CREATE_FAST is not allowed on this link", false);
            return;
        }
        circId = channel.allocateCircId();
        if (circId == 0) {
            finish("no free circuit ID on the link to " + first, false);
            return;
        }
        map.put(channel, circId, this);
        Scheduler.Cancellable timer = scheduler.schedule(options.buildTimeoutMillis, () -> close("circuit build"
                + " timed out after " + options.buildTimeoutMillis + " ms with " + crypto.hopCount() + " of "
                + path.size() + " hops"));
        // tor-spec §5.1.3: only a TLS-authenticated link makes CREATE_FAST's missing proof acceptable.
        channel.send(build.first(first, createFast, circId, timer));
    }

    // ---- state ------------------------------------------------------------------------------------------

    public State state() {
        return state;
    }

    public boolean isOpen() {
        return state == State.OPEN;
    }

    public boolean isClosed() {
        return state == State.CLOSED;
    }

    /** True once every hop was added (even if the circuit has closed since). */
    public boolean wasBuilt() {
        return built;
    }

    public List<RelayInfo> path() {
        return path;
    }

    /** Hops whose keys we hold so far. */
    public int hopCount() {
        return crypto.hopCount();
    }

    public Channel channel() {
        return channel;
    }

    public long circId() {
        return circId;
    }

    /** True when the first hop was made with CREATE_FAST (an authenticated link allowed it). */
    public boolean usedCreateFast() {
        return build.usedCreateFast();
    }

    public String closeReason() {
        return closeReason;
    }

    public int streamCount() {
        return streams.size();
    }

    public boolean atStreamLimit() {
        return streams.size() >= options.maxStreams;
    }

    public int relayEarlySent() {
        return build.relayEarlySent();
    }

    /** The circuit package window toward the last hop (DATA cells we may still send). */
    public int packageWindow() {
        return window().packageWindow();
    }

    /** The circuit deliver window from the last hop. */
    public int deliverWindow() {
        return window().deliverWindow();
    }

    /** The circuit window of the last hop of the path, the one that carries streams. */
    private Window window() {
        return hops[hops.length - 1].window();
    }

    // ---- congestion control (proposal 324) -----------------------------------------------------------------

    /**
     * Whether the handshake with hop {@code hop} (0-based) should ask for congestion control: only when the
     * options want it, only the last hop of a multi-hop circuit (prop324 §10.1: not for one-hop circuits; the
     * exit is the hop that carries streams), and only while the consensus's cc_alg asks for it (tor's default 2,
     * Vegas). The factory also checks the relay's Relay=4 and FlowCtrl=2.
     */
    public boolean shouldRequestCongestionControl(int hop) {
        // tor's congestion_control_enabled(): a consensus cc_alg of 0 turns the request off.
        return options.congestionControl != null && options.ccParams.enabled() && path.size() > 1
                && hop == path.size() - 1;
    }

    /** Whether hop {@code hop} gets the congestion control handshake: wanted there, and the relay can. */
    private boolean useExitHandshake(int hop, RelayInfo r) {
        return shouldRequestCongestionControl(hop) && options.congestionControl.supports(r);
    }

    /**
     * Hop {@code hop}'s ntor v3 reply carried the congestion control response (extension 02) with
     * {@code sendmeInc} (prop324 §10.4). Call it when that reply is processed, before or right after the hop's
     * keys are added, and in any case before the first stream is opened. Refuses (ProtocolException, which
     * must close the circuit, prop324 §10.5) a value outside 1..255 or more than a factor of 2 away from the
     * consensus cc_sendme_inc, as tor does.
     *
     * <p>For the last hop this switches the circuit to: an authenticated SENDME per {@code sendmeInc} DATA
     * cells each way, and XON/XOFF instead of stream SENDMEs on its streams (see {@link Window#congestionControl},
     * {@link ClientStream}).
     */
    public void enableCongestionControl(int hop, int sendmeInc) {
        if (hop < 0 || hop >= path.size()) {
            throw new IllegalArgumentException("no hop " + hop + " on a " + path.size() + "-hop circuit");
        }
        if (streams.everOpened() || state == State.CLOSED) {
            throw new IllegalStateException("congestion control is negotiated before streams, not on a " + state
                    + " circuit that carried streams");
        }
        checkSendmeInc(sendmeInc, options.consensusSendmeInc);
        hops[hop].negotiated(sendmeInc);
        if (hop == path.size() - 1) {
            // Our sending toward the exit runs Vegas too (prop324 §3.3), as tor's client does.
            hops[hop].sendUnderVegas(new Vegas(options.ccParams, sendmeInc), new Window.Signals() {
                @Override
                public long nowMicros() {
                    return scheduler.nowMicros();
                }

                @Override
                public boolean linkBlocked() {
                    return channel.bufferedAmount() > LINK_BLOCKED_BYTES;
                }
            });
        }
    }

    /** Our link to the guard holds more than this: a congestion signal for Vegas (tor's blocked orconn). */
    static final long LINK_BLOCKED_BYTES = 256L * 514;

    /** The Vegas state of our sending toward the exit, or null without congestion control. */
    public Vegas vegas() {
        return window().vegasState();
    }

    /** prop324 §10.5 and tor's congestion_control_validate_sendme_increment (factor 2 of the consensus value). */
    static void checkSendmeInc(int sendmeInc, int consensus) {
        if (sendmeInc < 1 || sendmeInc > MAX_SENDME_INC || sendmeInc > 2 * consensus || sendmeInc < consensus / 2) {
            throw new ProtocolException("congestion control sendme_inc " + sendmeInc
                    + " is outside 1.." + MAX_SENDME_INC + " or more than a factor 2 from the consensus " + consensus);
        }
    }

    /** The negotiated sendme_inc of hop {@code hop}, 0 when it uses classic flow control. */
    public int sendmeInc(int hop) {
        return hop >= 0 && hop < hops.length ? hops[hop].sendmeInc() : 0;
    }

    /** True when the last hop (the one carrying streams) negotiated congestion control. */
    public boolean usesCongestionControl() {
        return hops[hops.length - 1].usesCongestionControl();
    }

    /** Received bytes held for applications by this circuit's XON/XOFF streams. */
    public long heldInbound() {
        return streams.held();
    }

    /** A flow-controlled stream holds {@code delta} more (or fewer) received bytes. */
    void held(long delta) {
        streams.held(delta);
    }

    /** Throws when this circuit's XON/XOFF streams together hold more than the bound. */
    void checkHeld() {
        streams.checkHeld(options.maxCircuitReceiveBuffer);
    }

    /** For tests comparing both ends' keys: the keys of hop {@code i}. */
    HopKeys hopKeys(int i) {
        return hops[i].keys();
    }

    CircuitOptions options() {
        return options;
    }

    Scheduler scheduler() {
        return scheduler;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("circuit[");
        for (int i = 0; i < path.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(path.get(i).nickname());
        }
        return sb.append(' ').append(state).append(']').toString();
    }

    // ---- extension (ORDB) -------------------------------------------------------------------------------

    /**
     * An application protocol spoken with the last hop in relay commands tor does not use (ORDB's DB_*,
     * 0xD0..0xD4). Its cells count in the circuit window like DATA, both ways: the last hop must count them
     * too, which only a hop that speaks the protocol does (others drop them, tor-spec §6.1).
     */
    public interface Extension {
        boolean handles(int relayCommand);

        /** A cell of one of its commands from the last hop (already counted in the circuit window). */
        void onCell(int streamId, int relayCommand, byte[] data);

        /** The circuit window reopened (a SENDME came back). */
        void windowOpened();
    }

    public void setExtension(Extension e) {
        this.extension = e;
    }

    // ---- conflux (proposal 329) ---------------------------------------------------------------------------

    /** The conflux set this circuit is a leg of ({@link ConfluxSet}): it sees the last hop's cells first. */
    public interface Conflux {
        /** True when the set took the cell (a conflux command, or a multiplexed one it puts in order). */
        boolean onCell(ClientCircuit leg, RelayCell rc);

        /** The leg closed (its streams have ended); told before the circuit's own listener. */
        void legClosed(ClientCircuit leg, String reason);
    }

    void setConflux(Conflux c) {
        this.conflux = c;
    }

    /** Sends a circuit-level message (stream 0, not counted by the window) to the last hop. */
    void sendControl(RelayMessage m) {
        if (state != State.OPEN) {
            throw new IllegalStateException("circuit is " + state);
        }
        sendRelay(lastHop(), RelayCell.of(0, m), false);
    }

    /** Whether one more counted cell may go to the last hop now. */
    public boolean canSendCounted() {
        return canSendData();
    }

    /** Sends one cell of {@code command} to the last hop, counted by the circuit window like DATA. */
    public void sendCounted(int command, int streamId, byte[] data) {
        if (!canSendData()) {
            throw new IllegalStateException("circuit window closed or circuit not open");
        }
        sendCounting(command, streamId, data);
    }

    // ---- streams ----------------------------------------------------------------------------------------

    /**
     * Opens a stream to {@code host:port} through the last hop (RELAY_BEGIN, tor-spec §6.2). The outcome
     * reaches {@code l}; a bad address throws ProtocolException here, before anything is sent.
     */
    public ClientStream begin(String host, int port, ClientStream.ConnectListener l) {
        org.onionpeer.cell.Begin msg = new org.onionpeer.cell.Begin(host, port);
        return openStream(msg, host + ":" + port, l);
    }

    /** Opens a directory stream to the last hop (RELAY_BEGIN_DIR, tor-spec §6.2.1). */
    public ClientStream beginDir(ClientStream.ConnectListener l) {
        return openStream(new org.onionpeer.cell.BeginDir(), "(directory)", l);
    }

    private ClientStream openStream(RelayMessage begin, String target, ClientStream.ConnectListener l) {
        if (state != State.OPEN) {
            throw new IllegalStateException("circuit is " + state);
        }
        if (atStreamLimit()) {
            throw new IllegalStateException("circuit has " + streams.size() + " streams already");
        }
        int id = streams.allocateId();
        ClientStream s = new ClientStream(this, id, target, l);
        streams.add(s);
        sendRelay(lastHop(), RelayCell.of(id, begin), false);
        s.started();
        return s;
    }

    int lastHop() {
        return crypto.hopCount() - 1;
    }

    /** Whether one more DATA cell may go out now (circuit open and its package window not empty). */
    boolean canSendData() {
        return state == State.OPEN && window().canSend();
    }

    /** Sends one DATA cell for a stream; the caller checked {@link #canSendData}. */
    void sendData(int streamId, byte[] data) {
        sendCounting(RelayCommand.DATA, streamId, data);
    }

    /** One cell to the last hop that its circuit window counts (DATA, an extension's). */
    private void sendCounting(int command, int streamId, byte[] data) {
        Hop last = hops[lastHop()];
        byte[] body = new RelayCell(command, streamId, data).encode(padding);
        crypto.encrypt(body, 0, last.index);
        last.sentCounted(digest);
        channel.send(Cell.adopt(circId, CellCommand.RELAY, body));
    }

    /** Sends a stream control message (END, SENDME) to the last hop. */
    void sendStreamMessage(int streamId, RelayMessage m) {
        if (state == State.CLOSED) {
            return;
        }
        if (m instanceof End) {
            streams.ending(streamId);
        }
        sendRelay(lastHop(), RelayCell.of(streamId, m), false);
    }

    /** Cells dropped because their stream was never ours (or long forgotten). */
    public long unknownStreamCells() {
        return streams.unknownCells();
    }

    /** Streams we ended whose END from the exit has not come yet. */
    public int halfClosedStreams() {
        return streams.halfClosed();
    }

    void streamFinished(ClientStream s) {
        streams.remove(s);
    }

    private void sendRelay(int hop, RelayCell cell, boolean early) {
        byte[] body = cell.encode(padding);
        crypto.encrypt(body, 0, hop);
        channel.send(Cell.adopt(circId, early ? CellCommand.RELAY_EARLY : CellCommand.RELAY, body));
    }

    // ---- closing ----------------------------------------------------------------------------------------

    /** Closes the circuit from our side: DESTROY with reason NONE (tor-spec §5.4: an OP sends NONE). */
    public void close() {
        close("closed by us");
    }

    /** Closes the circuit from our side, {@code reason} being what its streams and listener are told. */
    void close(String reason) {
        if (state == State.CLOSED) {
            return;
        }
        if (circId != 0) {
            channel.send(new Cell(circId, CellCommand.DESTROY, new Destroy(DestroyReason.NONE).encode()));
        }
        finish(reason, true);
    }

    private void finish(String reason, boolean release) {
        if (state == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        closeReason = reason;
        build.stop();
        if (circId != 0 && release) {
            map.remove(channel, circId);
        }
        for (ClientStream s : streams.removeAll()) {
            s.circuitClosed(reason);
        }
        if (conflux != null) {
            conflux.legClosed(this, reason);
        }
        if (listener != null) {
            listener.closed(this, reason);
        }
    }

    // ---- CircuitMap.Endpoint ----------------------------------------------------------------------------

    @Override
    public void onChannelClosed(Channel ch) {
        // The map already forgot us; the link's CircIDs die with it.
        finish("link closed: " + ch.closeReason(), false);
    }

    @Override
    public void onCell(Channel ch, Cell cell) {
        if (state == State.CLOSED) {
            return;
        }
        try {
            switch (cell.command()) {
                case CellCommand.DESTROY: {
                    int reason = cell.payloadLength() > 0 ? Destroy.decode(cell.payload()).reason() : 0;
                    map.remove(channel, circId);
                    finish("destroyed by the network: " + DestroyReason.name(reason), false);
                    return;
                }
                case CellCommand.CREATED2:
                case CellCommand.CREATED_FAST:
                    created(cell);
                    return;
                case CellCommand.RELAY:
                    relay(cell);
                    return;
                case CellCommand.RELAY_EARLY:
                    // tor-spec §5.6: RELAY_EARLY only travels away from the OP.
                    throw new ProtocolException("inbound RELAY_EARLY");
                case CellCommand.PADDING:
                case CellCommand.VPADDING:
                    return;
                default:
                    throw new ProtocolException("unexpected " + CellCommand.name(cell.command()) + " on a client circuit");
            }
        } catch (ProtocolException e) {
            close("protocol error: " + e.getMessage());
        } catch (RuntimeException e) {
            // Our bug or an application callback's: the circuit goes, the link and the node stay.
            close("internal error: " + e);
        }
    }

    private void created(Cell cell) {
        addHop(build.created(cell, crypto.hopCount()));
    }

    private void addHop(HopKeys keys) {
        crypto.addHop(hops[crypto.hopCount()].made(keys, primitives));
        if (crypto.hopCount() == path.size()) {
            state = State.OPEN;
            built = true;
            build.stop();
            if (listener != null) {
                listener.built(this);
            }
            return;
        }
        extend(path.get(crypto.hopCount()));
    }

    /** RELAY_EARLY EXTEND2 to the current last hop (tor-spec §5.1.2, §5.3). */
    private void extend(RelayInfo next) {
        String refused = build.cannotExtend(next);
        if (refused != null) {
            close(refused);
            return;
        }
        int n = crypto.hopCount();
        Extend2 ext = build.extend(n, next, useExitHandshake(n, next) ? options.congestionControl : null);
        sendRelay(lastHop(), RelayCell.of(0, ext), true);
    }

    /** tor-spec §5.1.2: send 00 (IPv4), 02 (RSA id), 03 (Ed25519 id, when known), in that order. */
    public static List<LinkSpecifier> linkSpecifiers(RelayInfo r) {
        return LinkSpecifiers.of(r);
    }

    /** {@code tls://a.b.c.d:port} as link specifier 00, or null for any other address form. */
    static LinkSpecifier tlsIpv4(String address) {
        return LinkSpecifiers.tlsIpv4(address);
    }

    // ---- relay cells ------------------------------------------------------------------------------------

    private void relay(Cell cell) {
        if (crypto.hopCount() == 0) {
            throw new ProtocolException("RELAY cell before the first hop was made");
        }
        // We are the cell's last user: decrypt in place, in the link's buffer (no copy per cell).
        byte[] body = cell.borrowPayload();
        int at = cell.payloadOffset();
        int hop = crypto.decrypt(body, at);
        if (hop == ClientCircuitCrypto.NOT_RECOGNIZED) {
            // tor-spec §6.1: a cell no hop recognizes means the circuit is corrupt.
            throw new ProtocolException("relay cell recognized by no hop");
        }
        int last = lastHop();
        RelayCell rc = RelayCell.decode(body, at, cell.payloadLength());
        int cmd = rc.command();
        int sid = rc.streamId();
        boolean ext = extension != null && extension.handles(cmd);
        if ((cmd == RelayCommand.DATA || ext) && hop == last) {
            // Circuit-level accounting first, whatever becomes of the stream (tor-spec §7.4).
            if (hops[hop].deliveredCounted(digest)) {
                sendRelay(hop, RelayCell.of(0, Sendme.authenticated(digest)), false);
                hops[hop].sendmeSent();
            }
        }
        switch (cmd) {
            case RelayCommand.DROP:
                return; // long-range padding (tor-spec §7.2)
            case RelayCommand.TRUNCATED: {
                Truncated t = Truncated.decode(rc.data());
                // We do not re-extend: a truncated circuit is torn down, as tor does.
                close("truncated after hop " + (hop + 1) + ": " + DestroyReason.name(t.reason()));
                return;
            }
            case RelayCommand.EXTENDED2:
                extended(hop, rc);
                return;
            default:
                break;
        }
        if (state != State.OPEN) {
            throw new ProtocolException(RelayCommand.name(cmd) + " before the circuit was built");
        }
        if (hop != last) {
            throw new ProtocolException(RelayCommand.name(cmd) + " from hop " + (hop + 1) + " of " + (last + 1));
        }
        if (ext) {
            extension.onCell(sid, cmd, rc.data());
            return;
        }
        if (conflux != null && conflux.onCell(this, rc)) {
            return;
        }
        dispatch(rc);
    }

    /**
     * What a cell from the last hop does here: circuit-level commands, or its stream's. A conflux set calls it on
     * its primary leg for the multiplexed cells of every leg, in their sequence order.
     */
    void dispatch(RelayCell rc) {
        int cmd = rc.command();
        int sid = rc.streamId();
        if (sid == 0) {
            if (cmd == RelayCommand.SENDME) {
                window().sendmeReceived(Sendme.decode(rc.data()).digest());
                flushStreams();
                if (extension != null) {
                    extension.windowOpened();
                }
                return;
            }
            if (cmd == RelayCommand.DATA || cmd == RelayCommand.CONNECTED || cmd == RelayCommand.END) {
                throw new ProtocolException(RelayCommand.name(cmd) + " without a stream");
            }
            return; // other circuit-level commands an OP does not use are dropped (tor-spec §6.1)
        }
        ClientStream s = streams.get(sid);
        if (s == null) {
            // A stream we ended is checked until the exit's END (DATA was counted above); a stream we never had,
            // or forgot, has its cells dropped (tor-spec §6.1).
            streams.notOpen(sid, cmd);
            return;
        }
        s.onRelay(rc);
    }

    private void extended(int hop, RelayCell rc) {
        PendingHop p = build.takeExtend(state == State.BUILDING && crypto.hopCount() != 0 && hop == lastHop(), rc);
        ExitHandshake.Result r = p.extended(rc.data());
        if (r.sendmeInc >= 0) {
            // prop324 §10.4: the exit's answer to our congestion control request (ntor v3 extension 02).
            enableCongestionControl(p.hop, r.sendmeInc);
        }
        addHop(r.keys);
    }

    /** The circuit window reopened: let streams with queued data send, starting where we stopped last. */
    void flushStreams() {
        streams.flush(this);
    }

    /** Closes the circuit for a stream-level protocol violation seen by a stream. */
    void protocolError(String message) {
        close("protocol error: " + message);
    }

    /** END reason a stream reports when its circuit dies under it (tor uses END_STREAM_REASON_DESTROY). */
    static final int CIRCUIT_DEATH_REASON = EndReason.DESTROY;
}
