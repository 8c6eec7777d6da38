package org.onionpeer.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Created2;
import org.onionpeer.cell.Extend2;
import org.onionpeer.cell.Extended2;
import org.onionpeer.cell.LinkSpecifier;
import org.onionpeer.cell.PaddingSource;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.RelayCommand;
import org.onionpeer.cell.RelayMessage;
import org.onionpeer.circuit.ClientCircuitCrypto;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.link.Channel;
import org.onionpeer.transport.Pipe;

/** A scripted onion proxy for relay tests: one link to a relay, cells by hand, received cells recorded. */
final class ScriptedOp implements Channel.Handler {
    final TestNet net;
    final Channel ch;
    final List<Cell> cells = new ArrayList<>();
    boolean closed;
    long circId;
    final ClientCircuitCrypto crypto = new ClientCircuitCrypto(new BcRelayPrimitives());

    ScriptedOp(TestNet net, TestNet.Relay first) {
        this(net, first, null);
    }

    /** A link to {@code first} that {@code first} sees as coming from {@code from} (null: unknown). */
    ScriptedOp(TestNet net, TestNet.Relay first, org.onionpeer.cell.IpAddress from) {
        this.net = net;
        Pipe p = new Pipe(net.sched, net.sched);
        first.node.links().accept(p.b(), null, from);
        ch = Channel.initiate(p.a(), net.sched, TestNet.ENTROPY, this, null, null, first.info.identity(), null);
        net.sched.runUntilIdle();
        assertTrue(ch.isOpen());
    }

    @Override
    public void opened(Channel channel) {
    }

    @Override
    public void cell(Channel channel, Cell cell) {
        cells.add(cell);
    }

    @Override
    public void closed(Channel channel, String reason) {
        closed = true;
    }

    Cell take() {
        net.sched.runUntilIdle();
        assertFalse(cells.isEmpty(), "expected a cell");
        return cells.remove(0);
    }

    void create(TestNet.Relay r) {
        circId = ch.allocateCircId();
        byte[] x = new byte[32];
        TestNet.RND.nextBytes(x);
        Ntor.Client c = Ntor.client(r.info.identity().rsaIdentity(), r.info.ntorKey(), x);
        ch.send(new Create2(Ntor.HTYPE, c.onionskin()).toCell(circId));
        Cell reply = take();
        assertEquals(CellCommand.CREATED2, reply.command());
        crypto.addHop(c.finish(Created2.decode(reply.payload()).handshakeData()));
    }

    void relay(int hop, int streamId, RelayMessage m, boolean early) {
        byte[] body = RelayCell.of(streamId, m).encode(PaddingSource.ZEROS);
        crypto.encrypt(body, 0, hop);
        ch.send(new Cell(circId, early ? CellCommand.RELAY_EARLY : CellCommand.RELAY, body));
    }

    RelayCell receiveRelay() {
        Cell c = take();
        assertEquals(CellCommand.RELAY, c.command(), "got " + CellCommand.name(c.command()));
        byte[] body = c.payload();
        int hop = crypto.decrypt(body, 0);
        assertNotEquals(ClientCircuitCrypto.NOT_RECOGNIZED, hop);
        return RelayCell.decode(body);
    }

    void extend(TestNet.Relay r) {
        byte[] x = new byte[32];
        TestNet.RND.nextBytes(x);
        Ntor.Client c = Ntor.client(r.info.identity().rsaIdentity(), r.info.ntorKey(), x);
        List<LinkSpecifier> specs = List.of(LinkSpecifier.rsaId(r.info.identity().rsaIdentity()),
                LinkSpecifier.ed25519Id(r.info.identity().ed25519Identity()));
        relay(crypto.hopCount() - 1, 0, new Extend2(specs, Ntor.HTYPE, c.onionskin()), true);
        RelayCell rc = receiveRelay();
        assertEquals(RelayCommand.EXTENDED2, rc.command());
        crypto.addHop(c.finish(((Extended2) rc.message()).handshakeData()));
    }
}
