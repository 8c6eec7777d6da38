package org.onionpeer.dht;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * One iterative lookup (Kademlia §2.3): keep the candidates sorted by distance to the target, query the
 * closest not yet queried, at most alpha at a time, and finish when the k closest that have not failed
 * have all answered. A FIND_VALUE lookup also finishes on the first VALUE.
 *
 * <p>Nodes that fail (gone, or liars) still took slots in the answers that named them, and may have pushed
 * real close nodes out of every answer. So when some failed closer than our k-th, a FIND_NODE lookup makes
 * one second pass: the alpha closest that answered are asked again, told to leave the failed ones out.
 */
final class Lookup {
    private static final int NEW = 0;
    private static final int PENDING = 1;
    private static final int ANSWERED = 2;
    private static final int FAILED = 3;
    /** The shortlist keeps at most this many times k candidates (the farthest go first). */
    private static final int RESERVE = 4;

    private static final class Candidate {
        final Contact contact;
        final int depth;
        int state = NEW;
        /** Its answer held a node sharing a longer prefix with the target than it does (see finish). */
        boolean gaveCloser;

        Candidate(Contact contact, int depth) {
            this.contact = contact;
            this.depth = depth;
        }
    }

    private final Dht dht;
    private final NodeId target;
    private final boolean findValue;
    private final Consumer<LookupResult> done;
    private final int k;
    private final int alpha;
    private final ArrayList<Candidate> shortlist = new ArrayList<>();
    private final Map<NodeId, Candidate> seen = new HashMap<>();
    private int inFlight;
    private int queried;
    private int failed;
    private boolean finished;
    private boolean secondPass;

    Lookup(Dht dht, NodeId target, boolean findValue, int k, int alpha, Consumer<LookupResult> done) {
        this.dht = dht;
        this.target = target;
        this.findValue = findValue;
        this.k = k;
        this.alpha = alpha;
        this.done = done;
    }

    void start(List<Contact> initial) {
        for (Contact c : initial) {
            add(c, 1);
        }
        step();
    }

    private void add(Contact c, int depth) {
        if (c.id().equals(dht.self().id()) || seen.containsKey(c.id()) || dht.isBanned(c.id())) {
            return;
        }
        Candidate cand = new Candidate(c, depth);
        seen.put(c.id(), cand);
        int i = shortlist.size();
        while (i > 0 && target.compareDistance(shortlist.get(i - 1).contact.id(), c.id()) > 0) {
            i--;
        }
        shortlist.add(i, cand);
        if (shortlist.size() > RESERVE * k) {
            Candidate last = shortlist.get(shortlist.size() - 1);
            if (last.state == NEW) {
                shortlist.remove(shortlist.size() - 1);
            }
        }
    }

    /** The k-th closest candidate that has not failed, or null if there are fewer than k. */
    private Candidate kth() {
        int n = 0;
        for (Candidate c : shortlist) {
            if (c.state != FAILED && ++n == k) {
                return c;
            }
        }
        return null;
    }

    private void step() {
        if (finished) {
            return;
        }
        int n = 0;
        boolean settled = true;
        for (int i = 0; i < shortlist.size() && n < k; i++) {
            Candidate c = shortlist.get(i);
            if (c.state == FAILED) {
                continue;
            }
            n++;
            if (c.state == NEW && inFlight < alpha) {
                send(c);
            }
            if (c.state != ANSWERED) {
                settled = false;
            }
        }
        if (settled && !finished && !secondPass()) {
            finish(null);
        }
    }

    /** Starts the second pass if it is due; false if there is none to make. */
    private boolean secondPass() {
        if (findValue || secondPass) {
            return false;
        }
        secondPass = true;
        List<NodeId> failedIds = new ArrayList<>();
        List<Candidate> ask = new ArrayList<>();
        int answered = 0;
        for (Candidate c : shortlist) {
            if (answered >= k) {
                break;
            }
            if (c.state == FAILED && failedIds.size() < DhtMessage.MAX_CONTACTS) {
                failedIds.add(c.contact.id());
            } else if (c.state == ANSWERED) {
                answered++;
                if (ask.size() < alpha) {
                    ask.add(c);
                }
            }
        }
        if (failedIds.isEmpty() || ask.isEmpty()) {
            return false;
        }
        for (Candidate c : ask) {
            send(c, failedIds);
        }
        return true;
    }

    private void send(Candidate c) {
        send(c, List.of());
    }

    private void send(Candidate c, List<NodeId> exclude) {
        c.state = PENDING;
        inFlight++;
        queried++;
        dht.lookupRequest(c.contact, target, findValue, exclude, new Dht.Answer() {
            @Override
            public void onAnswer(DhtMessage m) {
                inFlight--;
                if (finished) {
                    return;
                }
                c.state = ANSWERED;
                if (m instanceof Value) {
                    List<byte[]> good = new ArrayList<>();
                    for (byte[] v : ((Value) m).values()) {
                        if (dht.validate(target, null, v) != null) {
                            good.add(v);
                        }
                    }
                    if (!good.isEmpty()) {
                        finish(good);
                        return;
                    }
                    // Only values that do not verify: a liar (or a node fooled by one). It ends nothing;
                    // the lookup goes on with the other candidates.
                    dht.strike(c.contact.id());
                    step();
                    return;
                }
                answered(c, ((Nodes) m).contacts());
                step();
            }

            @Override
            public void onFailure() {
                inFlight--;
                failed++;
                c.state = FAILED;
                step();
            }
        });
    }

    private void answered(Candidate from, List<Contact> contacts) {
        int fromCpl = from.contact.id().commonPrefixLength(target);
        for (Contact c : contacts) {
            if (c.id().commonPrefixLength(target) > fromCpl) {
                from.gaveCloser = true;
            }
            if (seen.containsKey(c.id())) {
                continue;
            }
            // A contact no closer than our current k-th is not followed (queried) unless closer ones fail:
            // it cannot improve the result, and following it would let a liar steer us away with far-off
            // nodes. It stays in reserve, within a bounded shortlist.
            Candidate kth = kth();
            if (kth != null && target.compareDistance(c.id(), kth.contact.id()) >= 0) {
                dht.stats().notFollowed++;
                if (shortlist.size() >= RESERVE * k
                        && target.compareDistance(c.id(), shortlist.get(shortlist.size() - 1).contact.id()) >= 0) {
                    continue;
                }
            }
            add(c, from.depth + 1);
        }
    }

    private void finish(List<byte[]> value) {
        finished = true;
        List<Contact> closest = new ArrayList<>();
        int rounds = 0;
        for (Candidate c : shortlist) {
            if (c.state == ANSWERED) {
                rounds = Math.max(rounds, c.depth);
                if (closest.size() < k) {
                    closest.add(c.contact);
                }
            }
        }
        if (value == null) {
            judge(closest);
        }
        done.accept(new LookupResult(target, closest, value, rounds, queried, failed));
    }

    /**
     * A node R must know a node in each non-empty subtree of the ID space next to it (the Kademlia invariant
     * the whole network relies on). So if the result holds a node sharing a longer prefix with the target
     * than R does, R's bucket for the target was not empty and its answer had to include such a node; an
     * answer without one hid it. Such a peer gets a strike; a faithful answer takes one away.
     */
    private void judge(List<Contact> closest) {
        int best = -1;
        for (Contact c : closest) {
            best = Math.max(best, c.id().commonPrefixLength(target));
        }
        for (Candidate c : shortlist) {
            if (c.state != ANSWERED) {
                continue;
            }
            if (c.gaveCloser) {
                dht.acquit(c.contact.id());
            } else if (best > c.contact.id().commonPrefixLength(target)) {
                dht.strike(c.contact.id());
            }
        }
    }
}
