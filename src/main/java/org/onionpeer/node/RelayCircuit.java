package org.onionpeer.node;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.onionpeer.bytes.Bytes;
import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Begin;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Created2;
import org.onionpeer.cell.Destroy;
import org.onionpeer.cell.DestroyReason;
import org.onionpeer.cell.End;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.Extend2;
import org.onionpeer.cell.Extended2;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.RelayMessage;
import org.onionpeer.cell.Resolve;
import org.onionpeer.cell.Sendme;
import org.onionpeer.cell.Truncated;
import org.onionpeer.circuit.CircuitMap;
import org.onionpeer.circuit.RelayCircuitCrypto;
import org.onionpeer.circuit.Vegas;
import org.onionpeer.circuit.Window;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.exit.StreamHost;
import org.onionpeer.link.Channel;
import org.onionpeer.link.LinkManager;
import org.onionpeer.link.LinkTarget;
import org.onionpeer.platform.Scheduler;

/**
 * One circuit through this relay (tor-spec §5-§7): the previous hop's side (towards the OP) and, once
 * extended, the next hop's side. Cells from the OP are decrypted by one layer; a cell recognized as ours is
 * acted on (EXTEND2, BEGIN, BEGIN_DIR, DATA, SENDME, END, TRUNCATE, DROP), any other is passed on to the
 * next hop. Cells from the next hop get our layer added and go back. Anything malformed or out of place
 * tears the circuit down with DESTROY(PROTOCOL): one bad circuit never harms the link or the relay.
 */
final class RelayCircuit {
    private final OnionRouter router;
    private final Node node;
    private final Channel prev;
    private final long prevId;
    private final RelayCircuitCrypto crypto;
    /** Our link toward the OP holds more than this: a congestion signal for Vegas (tor's blocked orconn). */
    static final long LINK_BLOCKED_BYTES = 256L * 514;

    private final Window window;
    private final Map<Integer, ExitStream> streams = new LinkedHashMap<>();
    private final byte[] digest = new byte[Window.DIGEST_LEN];
    private final ExitResolves resolves = new ExitResolves(this);
    /** DB_* cells at this last hop (ORDB): refused here when we are no ORDB, else served. */
    private final OrdbStreams ordb = new OrdbStreams(this);

    private Channel next;
    private long nextId;
    private boolean extending;
    private Scheduler.Cancellable extendTimer;
    private int relayEarly;
    private boolean closed;
    /** Cells waiting for the node's {@link RelayPacer} (pages relaying for others), toward next / prev. */
    private final java.util.ArrayDeque<Cell> queueNext = new java.util.ArrayDeque<>();
    private final java.util.ArrayDeque<Cell> queuePrev = new java.util.ArrayDeque<>();
    private final RelayPacer.Lane nextLane = () -> sendQueued(true);
    private final RelayPacer.Lane prevLane = () -> sendQueued(false);

    private final CircuitMap.Endpoint previousSide = new CircuitMap.Endpoint() {
        @Override
        public void onCell(Channel ch, Cell cell) {
            fromPrevious(cell);
        }

        @Override
        public void onChannelClosed(Channel ch) {
            close(DestroyReason.CHANNEL_CLOSED, false, true);
        }
    };

    private final CircuitMap.Endpoint nextSide = new CircuitMap.Endpoint() {
        @Override
        public void onCell(Channel ch, Cell cell) {
            fromNext(cell);
        }

        @Override
        public void onChannelClosed(Channel ch) {
            nextGone(DestroyReason.CHANNEL_CLOSED, false);
        }
    };

    /** {@code vegas}: the circuit negotiated congestion control with the OP (we are its last hop), else null. */
    RelayCircuit(OnionRouter router, Channel prev, long prevId, RelayCircuitCrypto crypto, Vegas vegas) {
        this.router = router;
        this.node = router.node();
        this.prev = prev;
        this.prevId = prevId;
        this.crypto = crypto;
        this.window = vegas == null ? Window.circuit() : Window.vegas(vegas, new Window.Signals() {
            @Override
            public long nowMicros() {
                return node.scheduler().nowMicros();
            }

            @Override
            public boolean linkBlocked() {
                return prev.bufferedAmount() > LINK_BLOCKED_BYTES;
            }
        });
    }

    /** True when the OP negotiated congestion control: Vegas on our sending, XON/XOFF on our streams. */
    boolean usesCongestionControl() {
        return window.vegasState() != null;
    }

    /** The sending side's Vegas state (tests, diagnostics), or null. */
    Vegas vegas() {
        return window.vegasState();
    }

    CircuitMap.Endpoint previousSide() {
        return previousSide;
    }

    // ---- from the OP's side ----------------------------------------------------------------------------

    private void fromPrevious(Cell cell) {
        if (closed) {
            return;
        }
        try {
            switch (cell.command()) {
                case CellCommand.RELAY_EARLY:
                    if (++relayEarly > router.config().maxRelayEarly) {
                        throw new ProtocolException("more than " + router.config().maxRelayEarly + " RELAY_EARLY cells");
                    }
                    relayForward(cell, true);
                    return;
                case CellCommand.RELAY:
                    relayForward(cell, false);
                    return;
                case CellCommand.DESTROY:
                    close(Destroy.decode(cell.payload()).reason(), false, true);
                    return;
                case CellCommand.CREATE:
                case CellCommand.CREATE_FAST:
                case CellCommand.CREATE2:
                    throw new ProtocolException("CREATE on a circuit that exists");
                default:
                    return; // other channel cells carry nothing for a circuit
            }
        } catch (ProtocolException e) {
            close(DestroyReason.PROTOCOL, true, true);
        }
    }

    private void relayForward(Cell cell, boolean early) {
        // We are the cell's last user: decrypt in place, in the link's read buffer, and pass it on from there
        // (the next link copies it as it sends; pass() detaches it when it has to wait).
        byte[] body = cell.borrowPayload();
        int at = cell.payloadOffset();
        if (crypto.decryptForward(body, at)) {
            recognized(at == 0 ? body : Bytes.slice(body, at, Cell.PAYLOAD_LEN), early);
        } else if (next != null && !extending) {
            pass(true, Cell.lend(nextId, cell.command(), body, at));
        } else {
            throw new ProtocolException("unrecognized relay cell at the last hop");
        }
    }

    private void recognized(byte[] body, boolean early) {
        RelayCell rc = RelayCell.decode(body);
        int streamId = rc.streamId();
        switch (rc.command()) {
            case RelayCommand.DATA:
                onData(streamId, rc.data());
                return;
            case RelayCommand.SENDME:
                onSendme(streamId, (Sendme) rc.message());
                return;
            case RelayCommand.BEGIN:
                onBegin(streamId, (Begin) rc.message(), false);
                return;
            case RelayCommand.BEGIN_DIR:
                onBegin(streamId, null, true);
                return;
            case RelayCommand.RESOLVE:
                onResolve(streamId, (Resolve) rc.message());
                return;
            case RelayCommand.END: {
                ExitStream s = streams.remove(streamId);
                if (s != null) {
                    s.closeFromOp();
                }
                resolves.cancel(streamId);
                return;
            }
            case RelayCommand.EXTEND2:
                if (!early) {
                    throw new ProtocolException("EXTEND2 outside RELAY_EARLY");
                }
                onExtend2((Extend2) rc.message());
                return;
            case RelayCommand.TRUNCATE:
                if (next != null) {
                    OnionRouter.destroy(next, nextId, DestroyReason.REQUESTED);
                    dropNext();
                }
                sendBackward(0, new Truncated(DestroyReason.REQUESTED));
                return;
            case RelayCommand.DROP:
                return;
            case RelayCommand.XOFF:
            case RelayCommand.XON: {
                // prop324 §4: stream flow control, only on circuits that negotiated it (tor ignores it elsewhere).
                ExitStream s = streams.get(streamId);
                if (rc.command() == RelayCommand.XOFF) {
                    org.onionpeer.cell.Xoff.decode(rc.data());
                } else {
                    org.onionpeer.cell.Xon.decode(rc.data());
                }
                if (s != null && usesCongestionControl()) {
                    if (rc.command() == RelayCommand.XOFF) {
                        s.xoffFromClient();
                    } else {
                        s.xonFromClient();
                    }
                }
                return;
            }
            default:
                if (OrdbStreams.isOrdbCommand(rc.command())) {
                    ordb.onCell(streamId, rc.command(), rc.data());
                    return;
                }
                // Relay commands that make no sense arriving at a relay (CONNECTED, EXTENDED2, ...) and
                // unknown ones are dropped, as tor does.
                return;
        }
    }

    // ---- extending -------------------------------------------------------------------------------------

    private void onExtend2(Extend2 ext) {
        if (next != null || extending) {
            throw new ProtocolException("EXTEND2 on a circuit already extended");
        }
        LinkSpecifier rsa = ext.first(LinkSpecifier.TYPE_RSA_ID);
        if (rsa == null) {
            throw new ProtocolException("EXTEND2 without an RSA identity");
        }
        byte[] rsaId = rsa.identity();
        if (Bytes.constantTimeEquals(rsaId, router.config().nodeId)) {
            throw new ProtocolException("EXTEND2 to ourselves");
        }
        LinkSpecifier ed = ext.first(LinkSpecifier.TYPE_ED25519_ID);
        LinkSpecifier v4 = ext.first(LinkSpecifier.TYPE_IPV4);
        // Port 0 names no ORPort: no address to pass on (the locators go by identity anyway).
        LinkTarget tls = v4 == null || v4.port() == 0 ? null : LinkTarget.tls(v4.address().toString(), v4.port());
        RelayInfo target = router.config().locator == null ? null
                : router.config().locator.locate(rsaId, ed == null ? null : ed.identity(), tls);
        if (target == null) {
            close(DestroyReason.CONNECTFAILED, true, true);
            return;
        }
        Create2 create = ext.toCreate2();
        extending = true;
        extendTimer = node.scheduler().schedule(router.config().extendTimeoutMillis,
                () -> close(DestroyReason.TIMEOUT, true, true));
        node.links().connect(target, new LinkManager.ConnectCallback() {
            @Override
            public void connected(Channel ch) {
                if (closed) {
                    return;
                }
                long id = ch.allocateCircId();
                if (id == 0) {
                    close(DestroyReason.RESOURCELIMIT, true, true);
                    return;
                }
                next = ch;
                nextId = id;
                node.circuits().put(ch, id, nextSide);
                ch.send(create.toCell(id));
            }

            @Override
            public void failed(String reason) {
                if (!closed) {
                    close(DestroyReason.CONNECTFAILED, true, true);
                }
            }
        });
    }

    // ---- from the next hop -----------------------------------------------------------------------------

    private void fromNext(Cell cell) {
        if (closed) {
            return;
        }
        try {
            switch (cell.command()) {
                case CellCommand.CREATED2:
                    if (!extending) {
                        throw new ProtocolException("CREATED2 we did not ask for");
                    }
                    extending = false;
                    extendTimer.cancel();
                    sendBackward(0, new Extended2(Created2.decode(cell.payload()).handshakeData()));
                    return;
                case CellCommand.RELAY:
                case CellCommand.RELAY_EARLY: {
                    if (extending) {
                        throw new ProtocolException("relay cell from a hop not yet created");
                    }
                    byte[] body = cell.borrowPayload(); // we are the cell's last user: as relayForward
                    int at = cell.payloadOffset();
                    crypto.relayBackward(body, at);
                    pass(false, Cell.lend(prevId, CellCommand.RELAY, body, at));
                    return;
                }
                case CellCommand.DESTROY:
                    nextGone(Destroy.decode(cell.payload()).reason(), false);
                    return;
                default:
                    throw new ProtocolException(CellCommand.name(cell.command()) + " from the next hop");
            }
        } catch (ProtocolException e) {
            // The next hop misbehaved: cut it off and tell the OP.
            if (next != null) {
                OnionRouter.destroy(next, nextId, DestroyReason.PROTOCOL);
            }
            nextGone(DestroyReason.PROTOCOL, true);
        }
    }

    private void nextGone(int reason, boolean alreadyDestroyed) {
        if (closed) {
            return;
        }
        boolean wasExtending = extending;
        dropNext();
        if (wasExtending) {
            close(reason == DestroyReason.NONE ? DestroyReason.CONNECTFAILED : reason, true, false);
            return;
        }
        // tor-spec §5.4: tell the OP the circuit was truncated here; it may extend again.
        sendBackward(0, new Truncated(reason));
    }

    private void dropNext() {
        if (extendTimer != null) {
            extendTimer.cancel();
        }
        if (next != null) {
            node.circuits().remove(next, nextId);
        }
        next = null;
        extending = false;
        if (!queueNext.isEmpty()) {
            router.pacer().dropped(queueNext.size()); // for the hop that is gone
            queueNext.clear();
        }
    }

    // ---- streams (exit and directory) ------------------------------------------------------------------

    private void onBegin(int streamId, Begin begin, boolean dir) {
        if (streamId == 0) {
            throw new ProtocolException("BEGIN on stream 0");
        }
        if (streams.containsKey(streamId) || resolves.contains(streamId)) {
            throw new ProtocolException("BEGIN for a stream that exists");
        }
        OnionRouter.Config cfg = router.config();
        if (streams.size() + resolves.size() >= cfg.maxStreamsPerCircuit
                || router.edgeStreams() >= node.limits().maxExitStreams) {
            sendBackward(streamId, End.of(EndReason.RESOURCELIMIT));
            return;
        }
        if (dir) {
            if (cfg.directory == null) {
                sendBackward(streamId, End.of(EndReason.NOTDIRECTORY));
                return;
            }
            ExitStream s = new ExitStream(this, streamId);
            streams.put(streamId, s);
            s.attachDirectory(cfg.directory);
            return;
        }
        if (cfg.exitConnector == null) {
            sendBackward(streamId, End.of(EndReason.EXITPOLICY));
            return;
        }
        // The core decides what the host means (tor's reading), so no platform resolver ever sees a
        // string it would read as a different address than tor does (e.g. 0177.0.0.1).
        StreamHost host = StreamHost.classify(begin.host());
        if (host.isRefused()) {
            sendBackward(streamId, End.of(EndReason.RESOLVEFAILED));
            return;
        }
        ExitStream s = new ExitStream(this, streamId);
        streams.put(streamId, s);
        router.exitStreamBegun(this);
        s.connect(cfg.exitConnector, host.connectTarget(), begin.port(), cfg.exitPolicy);
    }

    private void onResolve(int streamId, Resolve resolve) {
        if (streamId == 0) {
            throw new ProtocolException("RESOLVE on stream 0");
        }
        if (streams.containsKey(streamId) || resolves.contains(streamId)) {
            return; // tor drops it too (relay.c: "resolve request for known stream; dropping.")
        }
        if (streams.size() + resolves.size() >= router.config().maxStreamsPerCircuit) {
            sendBackward(streamId, End.of(EndReason.RESOURCELIMIT));
            return;
        }
        resolves.start(streamId, resolve.hostname(), router.config().exitConnector);
    }

    private void onData(int streamId, byte[] data) {
        countDelivered();
        ExitStream s = streams.get(streamId);
        if (s != null) {
            s.deliver(data);
        }
        // DATA for a stream we closed already is dropped: the OP has not yet seen our END.
    }

    /** A DATA (or DB_*) cell from the OP counts in the circuit window; a SENDME goes back when due. */
    void countDelivered() {
        window.delivered();
        if (window.sendmeDue()) {
            // The digest right after the DATA cell that made the SENDME due (prop289).
            crypto.forwardDigest(digest, 0);
            window.sendmeSent();
            sendBackward(0, Sendme.authenticated(digest));
        }
    }

    private void onSendme(int streamId, Sendme sendme) {
        if (streamId == 0) {
            window.sendmeReceived(sendme.version() == 1 ? sendme.digest() : null);
            for (ExitStream s : new ArrayList<>(streams.values())) {
                s.pump();
            }
            ordb.windowOpened();
            return;
        }
        ExitStream s = streams.get(streamId);
        if (s != null) {
            s.sendmeReceived();
        }
    }

    /** True when the circuit window lets one more DATA cell go to the OP. */
    boolean canSendData() {
        return !closed && window.canSend();
    }

    /** Sends one relay cell of any command to the OP, counted by the circuit window as DATA is (DB_*). */
    void sendCounted(int command, int streamId, byte[] data) {
        sendCounted(command, streamId, data, 0, data.length);
    }

    /**
     * One cell of {@code data[off..off+len)} (at most 498 bytes) to the OP, counted by the circuit window (DATA
     * from an exit stream, DB_* from ORDB), keeping its SENDME digests: its body is made in the router's scratch,
     * encrypted there and lent to the link, which copies it as it sends (no RelayCell or array per cell).
     */
    void sendCounted(int command, int streamId, byte[] data, int off, int len) {
        if (closed) {
            return;
        }
        boolean record = window.nextSendNeedsDigest();
        byte[] body = router.scratchBody();
        RelayCell.encodeInto(command, streamId, data, off, len, body, 0, router.padding());
        crypto.originateBackward(body, 0);
        pass(false, Cell.lend(prevId, CellCommand.RELAY, body, 0));
        if (record) {
            crypto.backwardDigest(digest, 0);
        }
        window.sent(record ? digest : null);
    }

    void sendBackward(int streamId, RelayMessage msg) {
        sendBackward(RelayCell.of(streamId, msg));
    }

    private void sendBackward(RelayCell cell) {
        if (closed) {
            return;
        }
        byte[] body = cell.encode(router.padding());
        crypto.originateBackward(body, 0);
        pass(false, Cell.adopt(prevId, CellCommand.RELAY, body)); // behind queued cells: the cipher runs in order
    }

    /**
     * Sends a relay cell on, through the node's pacer if it has one: at once if nothing of ours waits and
     * the rate allows, else queued (bounded: see {@link RelayPacer}; a circuit past the bound is closed).
     */
    private void pass(boolean forward, Cell cell) {
        RelayPacer pacer = router.pacer();
        if (pacer == null) {
            (forward ? next : prev).send(cell);
            return;
        }
        java.util.ArrayDeque<Cell> q = forward ? queueNext : queuePrev;
        if (q.isEmpty() && pacer.take()) {
            (forward ? next : prev).send(cell);
        } else if (!pacer.admit(q.size())) {
            close(DestroyReason.RESOURCELIMIT, true, true);
        } else {
            cell.detach(); // a lent cell gets its own copy before it waits
            q.add(cell);
            if (q.size() == 1) {
                pacer.wait(forward ? nextLane : prevLane);
            }
        }
    }

    private int sendQueued(boolean forward) {
        java.util.ArrayDeque<Cell> q = forward ? queueNext : queuePrev;
        Cell c = q.poll();
        if (c == null) {
            return RelayPacer.Lane.EMPTY;
        }
        Channel ch = forward ? next : prev;
        if (ch != null) {
            ch.send(c);
        }
        return q.isEmpty() ? RelayPacer.Lane.SENT_LAST : RelayPacer.Lane.SENT_MORE;
    }

    /** The exit stream with this id, or null (tests, diagnostics). */
    ExitStream stream(int streamId) {
        return streams.get(streamId);
    }

    void streamClosed(int streamId) {
        streams.remove(streamId);
    }

    Node node() {
        return node;
    }

    OnionRouter router() {
        return router;
    }

    // ---- teardown --------------------------------------------------------------------------------------

    /**
     * Closes the whole circuit. {@code toPrev}: send DESTROY towards the OP; {@code toNext}: towards the
     * next hop. Streams end, both sides leave the circuit table.
     */
    void close(int reason, boolean toPrev, boolean toNext) {
        if (closed) {
            return;
        }
        closed = true;
        if (extendTimer != null) {
            extendTimer.cancel();
        }
        if (next != null) {
            if (toNext) {
                OnionRouter.destroy(next, nextId, reason == DestroyReason.PROTOCOL ? DestroyReason.PROTOCOL
                        : DestroyReason.DESTROYED);
            }
            node.circuits().remove(next, nextId);
            next = null;
        }
        if (toPrev) {
            OnionRouter.destroy(prev, prevId, reason);
        }
        node.circuits().remove(prev, prevId);
        for (ExitStream s : new ArrayList<>(streams.values())) {
            s.circuitClosed();
        }
        streams.clear();
        resolves.closeAll();
        ordb.circuitClosed();
        if (router.pacer() != null) {
            router.pacer().dropped(queueNext.size() + queuePrev.size());
        }
        queueNext.clear();
        queuePrev.clear();
        router.circuitClosed(prev);
    }
}
