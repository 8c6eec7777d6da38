package org.onionpeer.node;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.onionpeer.cell.EndReason;
import org.onionpeer.cell.IpAddress;
import org.onionpeer.cell.RelayCell;
import org.onionpeer.cell.Resolved;
import org.onionpeer.exit.ExitPolicy;
import org.onionpeer.exit.StreamHost;
import org.onionpeer.platform.Scheduler;
import org.onionpeer.transport.Connector;

/**
 * RELAY_RESOLVE on one circuit (tor-spec §6.4): each request is answered with exactly one RESOLVED on its
 * stream ID. While the platform resolves, the ID is taken and counts against the circuit's stream limit.
 *
 * <p>As tor's dns.c does: a relay that is no exit answers a non-transient error (dns_resolve_impl returns -1
 * for a reject-star policy and dns_resolve sends RESOLVED_TYPE_ERROR; it sends no END); a literal is
 * answered with itself; a refused host ({@link StreamHost}, which includes reverse lookups) gets a
 * non-transient error; a name that does not exist (RESOLVEFAILED from the platform) a non-transient error,
 * any other resolver failure or no answer within {@link #TIMEOUT_MILLIS} a transient one. TTLs are clipped
 * to tor's [5 min, 1 h] (dns_clip_ttl) so that answers say little about the exit's cache.
 *
 * <p>Addresses an exit keeps to itself ({@link ExitPolicy#isInternal}) are left out of answers, and an
 * answer with nothing else left is a non-transient error: otherwise anyone could map the names the exit's
 * resolver knows on its own network (split-horizon DNS, router.lan, intranet hosts) through it.
 */
final class ExitResolves {
    static final long TIMEOUT_MILLIS = 30_000;
    static final long MIN_TTL = 5 * 60;
    static final long MAX_TTL = 60 * 60;
    /** tor's DEFAULT_DNS_TTL: the TTL of a literal's answer. */
    static final long LITERAL_TTL = 30 * 60;

    private final RelayCircuit circuit;
    /** Pending requests by stream ID; the token tells a stale callback from the current request. */
    private final Map<Integer, Pending> pending = new HashMap<>();

    private static final class Pending {
        Scheduler.Cancellable timer;
    }

    ExitResolves(RelayCircuit circuit) {
        this.circuit = circuit;
    }

    int size() {
        return pending.size();
    }

    boolean contains(int streamId) {
        return pending.containsKey(streamId);
    }

    /** Answers, or starts resolving, {@code hostname} for {@code streamId} (free, and within limits). */
    void start(int streamId, String hostname, Connector connector) {
        if (connector == null) {
            error(streamId, Resolved.TYPE_ERROR);
            return;
        }
        StreamHost host = StreamHost.classify(hostname);
        if (host.isRefused()) {
            error(streamId, Resolved.TYPE_ERROR);
            return;
        }
        if (host.isLiteral()) {
            List<Resolved.Answer> one = new ArrayList<>();
            one.add(Resolved.Answer.address(host.address(), LITERAL_TTL));
            circuit.sendBackward(streamId, new Resolved(one));
            return;
        }
        Pending p = new Pending();
        pending.put(streamId, p);
        p.timer = circuit.node().scheduler().schedule(TIMEOUT_MILLIS, () -> {
            if (pending.get(streamId) == p) {
                pending.remove(streamId);
                error(streamId, Resolved.TYPE_ERROR_TRANSIENT);
            }
        });
        connector.resolve(host.name(), new Connector.ResolveCallback() {
            @Override
            public void resolved(List<byte[]> addresses, int ttlSeconds) {
                if (take(streamId, p)) {
                    answer(streamId, addresses, ttlSeconds);
                }
            }

            @Override
            public void failed(int endReason, String message) {
                if (take(streamId, p)) {
                    error(streamId, endReason == EndReason.RESOLVEFAILED ? Resolved.TYPE_ERROR
                            : Resolved.TYPE_ERROR_TRANSIENT);
                }
            }
        });
    }

    private boolean take(int streamId, Pending p) {
        if (pending.get(streamId) != p) {
            return false; // timed out, cancelled by END, or the circuit closed
        }
        pending.remove(streamId);
        p.timer.cancel();
        return true;
    }

    private void answer(int streamId, List<byte[]> addresses, int ttlSeconds) {
        long ttl = Math.max(MIN_TTL, Math.min(MAX_TTL, ttlSeconds < 0 ? 0 : ttlSeconds));
        List<Resolved.Answer> answers = new ArrayList<>();
        int bytes = 0;
        for (byte[] a : addresses == null ? new ArrayList<byte[]>() : addresses) {
            if (a == null || (a.length != 4 && a.length != 16) || ExitPolicy.isInternal(a)) {
                continue;
            }
            int size = 2 + a.length + 4;
            if (bytes + size > RelayCell.MAX_DATA_LEN) {
                break;
            }
            answers.add(Resolved.Answer.address(IpAddress.of(a), ttl));
            bytes += size;
        }
        if (answers.isEmpty()) {
            error(streamId, Resolved.TYPE_ERROR);
            return;
        }
        circuit.sendBackward(streamId, new Resolved(answers));
    }

    private void error(int streamId, int type) {
        List<Resolved.Answer> one = new ArrayList<>();
        one.add(new Resolved.Answer(type, new byte[0], MIN_TTL));
        circuit.sendBackward(streamId, new Resolved(one));
    }

    /** The OP ended the stream before the answer: forget it (tor cancels the pending resolve too). */
    void cancel(int streamId) {
        Pending p = pending.remove(streamId);
        if (p != null) {
            p.timer.cancel();
        }
    }

    void closeAll() {
        for (Pending p : pending.values()) {
            p.timer.cancel();
        }
        pending.clear();
    }
}
