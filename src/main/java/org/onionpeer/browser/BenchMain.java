package org.onionpeer.browser;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.onionpeer.bench.NtorWorkload;
import org.onionpeer.bench.RelayLayerWorkload;
import org.onionpeer.bench.Workload;
import org.onionpeer.crypto.BcRelayPrimitives;
import org.onionpeer.crypto.TunedRelayPrimitives;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * Entry point of bench.js: times the core's workloads in TeaVM-compiled JavaScript. The driver
 * (org.onionpeer.e2e.Bench) calls {@code onionpeer.benchList()} and then, per row,
 * {@code onionpeer.bench(index, minMillis, runs, callback)}. Work is done in chunks of about a millisecond
 * with a yield to the event loop between chunks, as a page handling network events would, so that
 * asynchronous helpers (the WebCrypto keystream pool) get their turn; the yields are counted in the time.
 */
public final class BenchMain {
    private BenchMain() {
    }

    @JSFunctor
    interface Done extends JSObject {
        void done(String result);
    }

    @JSFunctor
    interface BenchFn extends JSObject {
        void call(int index, int minMillis, int runs, Done done);
    }

    @JSBody(params = {"name", "fn"}, script = "(self.onionpeer = self.onionpeer || {})[name] = fn;")
    static native void export(String name, BenchFn fn);

    /** The JavaScript rows (org.onionpeer.e2e.Bench#jvmWorkloads has the JVM ones); each makes a fresh workload. */
    interface Factory {
        Workload make();
    }

    static List<Factory> workloads() {
        List<Factory> w = new ArrayList<>();
        w.add(() -> new RelayLayerWorkload(new BcRelayPrimitives()));
        w.add(() -> new RelayLayerWorkload(new TunedRelayPrimitives()));
        if (WebCryptoRelayPrimitives.available()) {
            w.add(() -> new RelayLayerWorkload(new WebCryptoRelayPrimitives()));
        }
        // The two halves of the tuned layer, to show which one limits it.
        w.add(() -> new RelayLayerWorkload(new TunedRelayPrimitives(), RelayLayerWorkload.Part.CIPHER));
        w.add(() -> new RelayLayerWorkload(new TunedRelayPrimitives(), RelayLayerWorkload.Part.DIGEST));
        if (WebCryptoRelayPrimitives.available()) {
            w.add(() -> new RelayLayerWorkload(new WebCryptoRelayPrimitives(), RelayLayerWorkload.Part.CIPHER));
        }
        // X25519 in doubles (what the page uses) against Bouncy Castle's in emulated longs, in the same run.
        w.add(() -> new NtorWorkload(true, true));
        w.add(() -> new NtorWorkload(true, false));
        w.add(() -> new NtorWorkload(false, true));
        w.add(() -> new NtorWorkload(false, false));
        return w;
    }

    public static void main(String[] args) {
        // X25519 in doubles: long arithmetic is emulated in JS (see crypto.X25519F64).
        org.onionpeer.crypto.Curve25519.useDoubles();
        List<Factory> all = workloads();
        StringBuilder names = new StringBuilder();
        for (Factory f : all) {
            Workload w = f.make();
            names.append(w.name()).append('\t').append(w.unit()).append('\n');
        }
        String list = names.toString();
        JsApi.export("benchList", (JsApi.StringFn) () -> list);
        export("bench", (index, minMillis, runs, done) -> new Run(all.get(index).make(), minMillis, runs, done)
                .next());
        JsApi.setText("status", "bench loaded");
    }

    /** One row: a warm-up run, then {@code runs} timed runs of at least minMillis each; reports the median. */
    private static final class Run {
        private final Workload w;
        private final int minMillis;
        private final int runs;
        private final Done done;
        private final double[] rates;
        private int run = -1; // -1 is the warm-up
        private int chunk = 1;
        private double start;
        private double ops;

        Run(Workload w, int minMillis, int runs, Done done) {
            this.w = w;
            this.minMillis = minMillis;
            this.runs = runs;
            this.done = done;
            this.rates = new double[runs];
        }

        void next() {
            start = JsApi.now();
            ops = 0;
            Later.run(this::step);
        }

        private void step() {
            double t0 = JsApi.now();
            w.run(chunk);
            double t1 = JsApi.now();
            ops += chunk;
            // Aim for chunks of about 1 ms: long enough to amortise the yield, short enough for the loop.
            if (t1 - t0 < 0.5 && chunk < (1 << 20)) {
                chunk *= 2;
            }
            if (t1 - start < minMillis) {
                Later.run(this::step);
                return;
            }
            double rate = ops * w.unitsPerOp() / ((t1 - start) / 1000.0);
            if (run >= 0) {
                rates[run] = rate;
            }
            run++;
            if (run < runs) {
                next();
                return;
            }
            double[] sorted = rates.clone();
            Arrays.sort(sorted);
            StringBuilder sb = new StringBuilder();
            sb.append(sorted[runs / 2]).append('|');
            for (int i = 0; i < runs; i++) {
                sb.append(i == 0 ? "" : ",").append(rates[i]);
            }
            sb.append('|').append(w.note());
            done.done(sb.toString());
        }
    }
}
