package org.onionpeer.cell;

import org.onionpeer.bytes.ProtocolException;

/** Link protocol version negotiation (tor-spec §4.1). */
public final class LinkVersions {
    /** What Onionpeer offers: 3 (2-byte CircIDs), 4 (4-byte CircIDs), 5 (link padding negotiation). */
    private static final int[] SUPPORTED = {3, 4, 5};

    private LinkVersions() {
    }

    public static int[] supported() {
        return SUPPORTED.clone();
    }

    /** Our VERSIONS cell: the supported list. */
    public static Versions ours() {
        return new Versions(SUPPORTED);
    }

    /** The highest version both we ({@link #supported()}) and the peer listed. */
    public static int negotiate(Versions theirs) {
        return highestCommon(SUPPORTED, theirs.versions());
    }

    /**
     * tor-spec §4.1: both sides pick the highest number in both lists; with none in common they MUST close the
     * connection, hence the exception. Versions below 3 never count (they use other handshakes).
     */
    public static int highestCommon(int[] ours, int[] theirs) {
        int best = -1;
        for (int a : ours) {
            if (a < 3) {
                continue;
            }
            for (int b : theirs) {
                if (a == b && a > best) {
                    best = a;
                }
            }
        }
        if (best < 0) {
            throw new ProtocolException("no common link protocol version");
        }
        return best;
    }
}
