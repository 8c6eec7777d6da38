package org.onionpeer.e2e;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.openqa.selenium.chrome.ChromeDriver;

/**
 * Chrome's own sampling profiler over the DevTools protocol, for the page's main thread: start, run
 * something, stop, and the self time per function (name and bundle), largest first. Readable names need
 * bundles built with {@code -Donionpeer.minify=false}; the shipped ones are minified.
 */
final class PageProfiler {
    private final ChromeDriver driver;

    PageProfiler(ChromeDriver driver) {
        this.driver = driver;
    }

    void start(int intervalMicros) {
        driver.executeCdpCommand("Profiler.enable", Map.of());
        driver.executeCdpCommand("Profiler.setSamplingInterval", Map.of("interval", intervalMicros));
        driver.executeCdpCommand("Profiler.start", Map.of());
    }

    /** Stops and returns "self ms, share, function (bundle)" lines, the top {@code top}, plus the total. */
    List<String> stop(int top) {
        return top(stopProfile(), top);
    }

    /** Stops and returns the profile as Chrome gives it (a .cpuprofile, for DevTools' Performance panel). */
    @SuppressWarnings("unchecked")
    Map<String, Object> stopProfile() {
        Map<String, Object> r = driver.executeCdpCommand("Profiler.stop", Map.of());
        driver.executeCdpCommand("Profiler.disable", Map.of());
        return (Map<String, Object>) r.get("profile");
    }

    /** The total, the time per bundle, and the top {@code top} functions by self time of {@code profile}. */
    @SuppressWarnings("unchecked")
    static List<String> top(Map<String, Object> profile, int top) {
        Map<Long, String> names = new HashMap<>();
        for (Object o : (List<Object>) profile.get("nodes")) {
            Map<String, Object> n = (Map<String, Object>) o;
            Map<String, Object> f = (Map<String, Object>) n.get("callFrame");
            String url = String.valueOf(f.get("url"));
            String fn = String.valueOf(f.get("functionName"));
            names.put(((Number) n.get("id")).longValue(), (fn.isEmpty() ? "(anonymous):" + f.get("lineNumber") + ":"
                    + f.get("columnNumber") : fn) + " (" + url.substring(url.lastIndexOf('/') + 1) + ")");
        }
        List<Object> samples = (List<Object>) profile.get("samples");
        List<Object> deltas = (List<Object>) profile.get("timeDeltas");
        Map<String, Double> self = new HashMap<>();
        double total = 0;
        // timeDeltas[i] is the time before sample i; charge it to the sample before (the one that ran).
        for (int i = 0; i + 1 < samples.size(); i++) {
            double us = ((Number) deltas.get(i + 1)).doubleValue();
            self.merge(names.get(((Number) samples.get(i)).longValue()), us, Double::sum);
            total += us;
        }
        List<Map.Entry<String, Double>> sorted = new ArrayList<>(self.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue(), a.getValue()));
        List<String> out = new ArrayList<>();
        double busy = total - self.getOrDefault("(idle) ()", 0.0) - self.getOrDefault("(program) ()", 0.0);
        out.add(String.format(Locale.ROOT, "total %.0f ms, of it in JavaScript (not idle, not program) %.0f ms",
                total / 1000, busy / 1000));
        Map<String, Double> perBundle = new HashMap<>();
        self.forEach((k, v) -> perBundle.merge(k.substring(k.lastIndexOf(" (")), v, Double::sum));
        StringBuilder b = new StringBuilder("per bundle:");
        perBundle.entrySet().stream().sorted((x, y) -> Double.compare(y.getValue(), x.getValue()))
                .forEach(e -> b.append(String.format(Locale.ROOT, " %s %.0f ms;", e.getKey(), e.getValue() / 1000)));
        out.add(b.toString());
        for (int i = 0; i < Math.min(top, sorted.size()); i++) {
            Map.Entry<String, Double> e = sorted.get(i);
            out.add(String.format(Locale.ROOT, "%8.1f ms %5.1f%%  %s", e.getValue() / 1000, 100 * e.getValue() / total,
                    e.getKey()));
        }
        return out;
    }
}
