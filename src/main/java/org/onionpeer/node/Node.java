package org.onionpeer.node;

import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.circuit.CircuitMap;
import org.onionpeer.link.Channel;
import org.onionpeer.link.Dialer;
import org.onionpeer.link.LinkManager;
import org.onionpeer.platform.Entropy;
import org.onionpeer.platform.Scheduler;

/**
 * One node: its links, its circuit table, and the roles it plays (onion router, onion proxy), all on one
 * scheduler. The composition root of the core; platforms build one and plug in their dialer and
 * transports.
 */
public final class Node implements LinkManager.Sink {
    /** What a relay does with a cell that opens a circuit (CREATE, CREATE_FAST, CREATE2). */
    public interface CreateHandler {
        void onCreate(Channel channel, Cell cell);
    }

    private final Scheduler scheduler;
    private final Entropy entropy;
    private final LinkManager links;
    private final CircuitMap circuits = new CircuitMap();
    private final NodeLimits nodeLimits;
    private final MemoryGuard memory;
    private CreateHandler createHandler;

    public Node(Scheduler scheduler, Entropy entropy, Dialer dialer, Channel.Limits limits) {
        this(scheduler, entropy, dialer, limits, null);
    }

    /** {@code nodeLimits} null: the defaults. */
    public Node(Scheduler scheduler, Entropy entropy, Dialer dialer, Channel.Limits limits, NodeLimits nodeLimits) {
        this.scheduler = scheduler;
        this.entropy = entropy;
        this.nodeLimits = nodeLimits == null ? new NodeLimits() : nodeLimits;
        this.links = new LinkManager(scheduler, entropy, dialer, this, limits);
        this.memory = new MemoryGuard(scheduler, links, this.nodeLimits);
        links.setQueueObserver(memory);
    }

    /** The node-wide bounds (memory budget, global caps); mutable, read when they apply. */
    public NodeLimits limits() {
        return nodeLimits;
    }

    /** Where the node logs what it sheds (one line each, nothing identifying); default: standard error. */
    public void setLog(java.util.function.Consumer<String> log) {
        memory.setLog(log);
    }

    /** Bytes queued in the node at the last sample of the memory budget. */
    public long queuedBytes() {
        return memory.lastTotal();
    }

    /** Links and circuits shed by the memory budget since start. */
    public long shedCount() {
        return memory.shedCount();
    }

    MemoryGuard memory() {
        return memory;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Entropy entropy() {
        return entropy;
    }

    public LinkManager links() {
        return links;
    }

    public CircuitMap circuits() {
        return circuits;
    }

    public void setCreateHandler(CreateHandler h) {
        this.createHandler = h;
    }

    @Override
    public void cell(Channel channel, Cell cell) {
        CircuitMap.Endpoint e = circuits.get(channel, cell.circId());
        if (e != null) {
            e.onCell(channel, cell);
            return;
        }
        int cmd = cell.command();
        if (cmd == CellCommand.CREATE || cmd == CellCommand.CREATE_FAST || cmd == CellCommand.CREATE2) {
            if (createHandler != null) {
                createHandler.onCreate(channel, cell);
            } else {
                channel.send(new Cell(cell.circId(), CellCommand.DESTROY,
                        new byte[] {(byte) org.onionpeer.cell.DestroyReason.PROTOCOL}));
            }
        }
        // Cells for circuits we do not know (already destroyed, or never existed) are dropped, as tor does.
    }

    @Override
    public void channelClosed(Channel channel) {
        circuits.channelClosed(channel);
    }
}
