package org.onionpeer.circuit;

import org.onionpeer.bytes.ProtocolException;
import org.onionpeer.cell.Cell;
import org.onionpeer.cell.CellCommand;
import org.onionpeer.cell.Create2;
import org.onionpeer.cell.Created2;
import org.onionpeer.cell.Extend2;
import org.onionpeer.cell.Extended2;
import org.onionpeer.crypto.CreateFast;
import org.onionpeer.crypto.HopKeys;
import org.onionpeer.crypto.Ntor;
import org.onionpeer.dir.RelayInfo;
import org.onionpeer.platform.Entropy;

/**
 * A hop handshake in flight (Arti's pending circuit / handshake state): what a {@link ClientCircuit} sent to make
 * its next hop, and how the answer becomes that hop's keys. One of three {@link Kind}s, each answered by one cell:
 * CREATE_FAST by CREATED_FAST, CREATE2 (ntor) by CREATED2, EXTEND2 (ntor, or the installed {@link ExitHandshake}
 * carrying the congestion control request, prop324 §10) by EXTENDED2. Each handshake is one small implementation
 * of {@link #finish}; the circuit holds at most one at a time and forgets it once answered.
 */
abstract class PendingHop {
    enum Kind { CREATE_FAST, CREATE2, EXTEND2 }

    final Kind kind;
    /** The index of the hop being made (0 for CREATE_FAST and CREATE2). */
    final int hop;

    private PendingHop(Kind kind, int hop) {
        this.kind = kind;
        this.hop = hop;
    }

    /** CREATE2/EXTEND2 HTYPE of {@link #onionskin} (unused for CREATE_FAST, whose cell has none). */
    abstract int handshakeType();

    abstract byte[] onionskin();

    /**
     * Finishes with the handshake data of the answer (CREATED_FAST's payload, CREATED2's or EXTENDED2's HDATA):
     * the new hop's keys, and the sendme_inc it agreed to, -1 when it runs without congestion control.
     *
     * @throws org.onionpeer.bytes.ProtocolException on a bad answer
     */
    abstract ExitHandshake.Result finish(byte[] reply);

    /** The first hop's CREATE_FAST or CREATE2 cell on circuit {@code circId}. */
    Cell createCell(long circId) {
        if (kind == Kind.CREATE_FAST) {
            return new Cell(circId, CellCommand.CREATE_FAST, onionskin());
        }
        return new Cell(circId, CellCommand.CREATE2, new Create2(handshakeType(), onionskin()).encode());
    }

    /** The EXTEND2 message asking the current last hop for {@code next}. */
    Extend2 extend2(RelayInfo next) {
        return new Extend2(LinkSpecifiers.of(next), handshakeType(), onionskin());
    }

    /**
     * The first hop's handshake: CREATE_FAST when {@code createFast} (the caller checked that the link is
     * authenticated), else CREATE2 with ntor against {@code r}'s ntor key.
     */
    static PendingHop first(RelayInfo r, boolean createFast, Entropy entropy) {
        return createFast ? createFast(random(entropy, CreateFast.X_LEN)) : ntor(0, r, random(entropy, Ntor.KEY_LEN));
    }

    /**
     * Hop {@code hop}'s handshake, sent in EXTEND2: by {@code exitHandshake} when the caller wants it for this
     * relay (prop324 §10.1: the congestion control request rides in the exit's ntor v3), else ntor.
     */
    static PendingHop next(int hop, RelayInfo r, ExitHandshake.Factory exitHandshake, Entropy entropy) {
        if (exitHandshake != null) {
            return exit(hop, exitHandshake.start(r, random(entropy, 32)));
        }
        return ntor(hop, r, random(entropy, Ntor.KEY_LEN));
    }

    /** The answer to CREATE_FAST or CREATE2: CREATED_FAST or CREATED2, whichever matches what we sent. */
    ExitHandshake.Result created(Cell cell) {
        if (cell.command() == CellCommand.CREATED_FAST) {
            if (kind != Kind.CREATE_FAST) {
                throw new ProtocolException("CREATED_FAST answers a CREATE2");
            }
            return finish(cell.payload());
        }
        if (kind != Kind.CREATE2) {
            throw new ProtocolException("CREATED2 answers a CREATE_FAST");
        }
        return finish(Created2.decode(cell.payload()).handshakeData());
    }

    /** The answer to EXTEND2: the body of EXTENDED2. */
    ExitHandshake.Result extended(byte[] extended2) {
        return finish(Extended2.decode(extended2).handshakeData());
    }

    private static byte[] random(Entropy entropy, int n) {
        byte[] b = new byte[n];
        entropy.nextBytes(b);
        return b;
    }

    /** CREATE_FAST with our {@code x} (tor-spec §5.1.3: only on a TLS-authenticated link). */
    static PendingHop createFast(byte[] x) {
        CreateFast.Client fast = CreateFast.client(x);
        return new PendingHop(Kind.CREATE_FAST, 0) {
            @Override
            int handshakeType() {
                return 0;
            }

            @Override
            byte[] onionskin() {
                return fast.onionskin();
            }

            @Override
            ExitHandshake.Result finish(byte[] reply) {
                return new ExitHandshake.Result(fast.finish(reply), -1);
            }
        };
    }

    /** ntor (tor-spec §5.1.4) with {@code r}, as CREATE2 for hop 0 or EXTEND2 for hop {@code hop}. */
    static PendingHop ntor(int hop, RelayInfo r, byte[] secret) {
        Ntor.Client ntor = Ntor.client(r.identity().rsaIdentity(), r.ntorKey(), secret);
        return new PendingHop(hop == 0 ? Kind.CREATE2 : Kind.EXTEND2, hop) {
            @Override
            int handshakeType() {
                return Ntor.HTYPE;
            }

            @Override
            byte[] onionskin() {
                return ntor.onionskin();
            }

            @Override
            ExitHandshake.Result finish(byte[] reply) {
                HopKeys keys = ntor.finish(reply);
                return new ExitHandshake.Result(keys, -1);
            }
        };
    }

    /** The installed exit handshake (ntor v3 asking for congestion control), always by EXTEND2. */
    static PendingHop exit(int hop, ExitHandshake h) {
        return new PendingHop(Kind.EXTEND2, hop) {
            @Override
            int handshakeType() {
                return h.handshakeType();
            }

            @Override
            byte[] onionskin() {
                return h.onionskin();
            }

            @Override
            ExitHandshake.Result finish(byte[] reply) {
                return h.complete(reply);
            }
        };
    }
}
