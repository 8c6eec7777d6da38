package org.onionpeer.ordb;

import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.onionpeer.platform.Scheduler;

/**
 * What a {@link Download} does when it has no source left but one may come back (circuits that stalled or
 * closed while they were being built, e.g. just after the bridge restarted; ORDBs that went silent): rounds
 * of looking again. A round waits ({@link Download.Config#retryMillis}, doubling up to {@link
 * Download.Config#maxRetryMillis}), asks the {@link SourceFinder} (or keeps the connector it has), and opens
 * circuits again to every ORDB not banned; it ends when those are all gone again, or at once when none
 * opened. Progress (the manifest, a verified chunk) starts the count again; after {@link
 * Download.Config#lookAgainRounds} rounds without it the download ends and says so. A download whose sources
 * never answer again so ends rounds x (max wait + {@code connectMillis} + a stall check) after it lost its last
 * source, at most (56 s with the defaults: {@code DownloadRecoveryTest}). Sources that cannot come back end the download at once: banned ones, and, before any
 * manifest, ORDBs that said nobody they know holds the file (DB_END UNAVAILABLE: "nobody shares this").
 */
final class Recovery {
    private final Scheduler scheduler;
    private final Download.Config config;
    /** Opens circuits again (to the connector given, when not null); true if any opened. */
    private final Function<OrdbLink.Connector, Boolean> reopen;
    private final Consumer<String> giveUp;
    private SourceFinder finder;
    private int rounds;
    private long lostAt = -1;
    /** What the sources are, in the final words. */
    private final String noun;
    private String last;
    private Scheduler.Cancellable timer;
    private boolean stopped;

    Recovery(Scheduler scheduler, Download.Config config, Function<OrdbLink.Connector, Boolean> reopen,
            Consumer<String> giveUp) {
        this.scheduler = scheduler;
        this.config = config;
        this.reopen = reopen;
        this.giveUp = giveUp;
        this.noun = config.magnet != null ? "facilitator" : "ORDB";
    }

    void setFinder(SourceFinder f) {
        this.finder = f;
    }

    /** The manifest or a verified chunk came in: the sources are doing their job. */
    void progress() {
        rounds = 0;
        lostAt = -1;
    }

    /**
     * The last source is gone ({@code fate} says why): looks again after the round's wait, or ends the download
     * at once when none of {@code all} (every source so far) may answer if asked again.
     */
    void lost(List<DownloadSource> all, boolean manifestKnown, String fate) {
        if (mayComeBack(all, manifestKnown)) {
            lost(fate);
        } else {
            giveUp.accept("no " + noun + " left to ask (last: " + fate + ")");
        }
    }

    private static boolean mayComeBack(List<DownloadSource> gone, boolean manifestKnown) {
        for (DownloadSource s : gone) {
            if (!s.banned() && (manifestKnown || !s.fate.contains("UNAVAILABLE"))) {
                return true;
            }
        }
        return false;
    }

    private void lost(String fate) {
        long now = scheduler.nowMillis();
        last = fate;
        if (lostAt < 0) {
            lostAt = now;
        }
        if (rounds >= config.lookAgainRounds) {
            giveUp.accept("no " + noun + " left to ask: every source stalled or dropped, and looking for sources "
                    + rounds + " more times over " + (now - lostAt + 500) / 1000 + " s brought none that sent data"
                    + " (last: " + fate + ")");
            return;
        }
        long wait = Math.min(config.maxRetryMillis, config.retryMillis << Math.min(rounds, 20));
        rounds++;
        timer = scheduler.schedule(wait, this::look);
    }

    private void look() {
        timer = null;
        if (finder == null) {
            round(null);
        } else {
            finder.find(c -> scheduler.execute(() -> round(c))); // answered at once or later: never re-entrant
        }
    }

    private void round(OrdbLink.Connector found) {
        if (!stopped && !reopen.apply(found)) {
            lost(last); // nobody to open: this round is over
        }
    }

    /** The download ended: no more rounds. */
    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel();
        }
    }
}
