package org.onionpeer.e2e;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.json.Json;

/**
 * Chrome's trace (the DevTools Performance panel's "devtools.timeline" events) around one download, to say what
 * the sampling profiler's "(program)" is: the native work of the renderer's main thread between JavaScript calls
 * (message events, promise resolution, task scheduling). Selenium's executeCdpCommand cannot receive the trace's
 * events, so this talks to the browser's DevTools WebSocket itself (the JDK's client), at the address chromedriver
 * gives as {@code goog:chromeOptions.debuggerAddress}.
 *
 * <p>What it prints: for the busiest renderer main thread, the self time (wall clock, nested events taken out) per
 * trace event, the event named after what it ran where the trace says (a message event's type, a function call's
 * function), largest first; and the thread's total inside tasks.
 */
final class PageProfileTrace implements WebSocket.Listener {
    static final String CATEGORIES = "toplevel,devtools.timeline,disabled-by-default-devtools.timeline,v8.execute,"
            + "blink,disabled-by-default-v8.gc";

    private final Json json = new Json();
    private final StringBuilder partial = new StringBuilder();
    private final List<Map<String, Object>> events = new ArrayList<>();
    private final Map<Long, CompletableFuture<Map<String, Object>>> replies = new ConcurrentHashMap<>();
    private final CompletableFuture<Void> complete = new CompletableFuture<>();
    private WebSocket ws;
    private long nextId = 1;

    @SuppressWarnings("unchecked")
    static PageProfileTrace connect(ChromeDriver driver) throws Exception {
        Map<String, Object> o = (Map<String, Object>) driver.getCapabilities().getCapability("goog:chromeOptions");
        String addr = String.valueOf(o.get("debuggerAddress"));
        HttpClient http = HttpClient.newHttpClient();
        String v = http.send(HttpRequest.newBuilder(URI.create("http://" + addr + "/json/version")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Map<String, Object> version = new Json().toType(v, Map.class);
        PageProfileTrace t = new PageProfileTrace();
        t.ws = http.newWebSocketBuilder().buildAsync(URI.create(String.valueOf(version.get("webSocketDebuggerUrl"))), t)
                .get(10, TimeUnit.SECONDS);
        return t;
    }

    void start() throws Exception {
        call("Tracing.start", Map.of("traceConfig", Map.of("includedCategories", List.of(CATEGORIES.split(",")),
                "recordMode", "recordAsMuchAsPossible"), "transferMode", "ReportEvents"));
    }

    /** Ends the trace and waits for all its events. */
    void stop() throws Exception {
        call("Tracing.end", Map.of());
        complete.get(120, TimeUnit.SECONDS);
        ws.sendClose(WebSocket.NORMAL_CLOSURE, "").get(10, TimeUnit.SECONDS);
    }

    private Map<String, Object> call(String method, Map<String, Object> params) throws Exception {
        long id;
        CompletableFuture<Map<String, Object>> f = new CompletableFuture<>();
        synchronized (this) {
            id = nextId++;
            replies.put(id, f);
        }
        ws.sendText(json.toJson(Map.of("id", id, "method", method, "params", params)), true).get(10, TimeUnit.SECONDS);
        Map<String, Object> r = f.get(30, TimeUnit.SECONDS);
        if (r.get("error") != null) {
            throw new IllegalStateException(method + ": " + r.get("error"));
        }
        return r;
    }

    @Override
    public CompletionStage<?> onText(WebSocket w, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            handle(partial.toString());
            partial.setLength(0);
        }
        w.request(1);
        return null;
    }

    @SuppressWarnings("unchecked")
    private void handle(String text) {
        Map<String, Object> m = json.toType(text, Map.class);
        Object id = m.get("id");
        if (id != null) {
            CompletableFuture<Map<String, Object>> f = replies.remove(((Number) id).longValue());
            if (f != null) {
                f.complete(m);
            }
            return;
        }
        String method = String.valueOf(m.get("method"));
        if (method.equals("Tracing.dataCollected")) {
            Map<String, Object> p = (Map<String, Object>) m.get("params");
            synchronized (events) {
                for (Object e : (List<Object>) p.get("value")) {
                    events.add((Map<String, Object>) e);
                }
            }
        } else if (method.equals("Tracing.tracingComplete")) {
            complete.complete(null);
        }
    }

    @Override
    public void onError(WebSocket w, Throwable error) {
        complete.completeExceptionally(error);
    }

    /** The report: the busiest CrRendererMain thread's self time per event, the top {@code top}. */
    @SuppressWarnings("unchecked")
    List<String> report(int top) {
        // Renderer main threads, by (pid, tid), from the trace's thread_name metadata.
        Map<String, String> threadNames = new HashMap<>();
        Map<String, List<Map<String, Object>>> byThread = new HashMap<>();
        for (Map<String, Object> e : events) {
            String key = e.get("pid") + "/" + e.get("tid");
            if ("M".equals(e.get("ph")) && "thread_name".equals(e.get("name"))) {
                threadNames.put(key, String.valueOf(((Map<String, Object>) e.get("args")).get("name")));
            } else if ("X".equals(e.get("ph")) && e.get("dur") != null) {
                byThread.computeIfAbsent(key, k -> new ArrayList<>()).add(e);
            }
        }
        String main = null;
        for (Map.Entry<String, List<Map<String, Object>>> t : byThread.entrySet()) {
            if ("CrRendererMain".equals(threadNames.get(t.getKey()))
                    && (main == null || t.getValue().size() > byThread.get(main).size())) {
                main = t.getKey();
            }
        }
        List<String> out = new ArrayList<>();
        if (main == null) {
            out.add("no renderer main thread in the trace (" + events.size() + " events)");
            return out;
        }
        List<Map<String, Object>> list = byThread.get(main);
        list.sort((a, b) -> {
            int c = Long.compare(num(a, "ts"), num(b, "ts"));
            return c != 0 ? c : Long.compare(num(b, "dur"), num(a, "dur")); // parents first
        });
        Map<String, double[]> self = new HashMap<>(); // name -> {self us, count, self thread-time us}
        ArrayDeque<long[]> stack = new ArrayDeque<>(); // {end, index}
        List<String> names = new ArrayList<>();
        double[] selfOf = new double[list.size()];
        double[] selfCpu = new double[list.size()];
        double inTasks = 0;
        double cpuInTasks = 0;
        long first = Long.MAX_VALUE;
        long lastEnd = 0;
        for (int i = 0; i < list.size(); i++) {
            Map<String, Object> e = list.get(i);
            long ts = num(e, "ts");
            long dur = num(e, "dur");
            long tdur = num(e, "tdur");
            first = Math.min(first, ts);
            lastEnd = Math.max(lastEnd, ts + dur);
            while (!stack.isEmpty() && stack.peek()[0] <= ts) {
                stack.pop();
            }
            names.add(label(e));
            selfOf[i] = dur;
            selfCpu[i] = tdur;
            if (!stack.isEmpty()) {
                selfOf[(int) stack.peek()[1]] -= dur;
                selfCpu[(int) stack.peek()[1]] -= tdur;
            } else {
                inTasks += dur;
                cpuInTasks += tdur;
            }
            stack.push(new long[] {ts + dur, i});
        }
        for (int i = 0; i < list.size(); i++) {
            double[] s = self.computeIfAbsent(names.get(i), k -> new double[3]);
            s[0] += Math.max(0, selfOf[i]);
            s[1]++;
            s[2] += Math.max(0, selfCpu[i]);
        }
        out.add(String.format(Locale.ROOT, "renderer main thread: %.0f ms traced, %.0f ms inside top-level events"
                + " (%.0f ms of it on a core: the trace's thread time), %d events", (lastEnd - first) / 1e3,
                inTasks / 1e3, cpuInTasks / 1e3, list.size()));
        out.add("    self wall ms, share, self thread-time ms, count, event");
        List<Map.Entry<String, double[]>> sorted = new ArrayList<>(self.entrySet());
        sorted.sort((a, b) -> Double.compare(b.getValue()[0], a.getValue()[0]));
        for (int i = 0; i < Math.min(top, sorted.size()); i++) {
            Map.Entry<String, double[]> e = sorted.get(i);
            out.add(String.format(Locale.ROOT, "%8.1f ms %5.1f%% %8.1f ms %7d x  %s", e.getValue()[0] / 1e3,
                    100 * e.getValue()[0] / inTasks, e.getValue()[2] / 1e3, (long) e.getValue()[1], e.getKey()));
        }
        return out;
    }

    /** The event's name, with what it ran where the trace says it. */
    @SuppressWarnings("unchecked")
    private static String label(Map<String, Object> e) {
        String name = String.valueOf(e.get("name"));
        Object args = e.get("args");
        if (args instanceof Map) {
            Object data = ((Map<String, Object>) args).get("data");
            if (data instanceof Map) {
                Map<String, Object> d = (Map<String, Object>) data;
                if (d.get("type") != null) {
                    return name + " " + d.get("type");
                }
                if (d.get("functionName") != null && !String.valueOf(d.get("functionName")).isEmpty()) {
                    return name + " " + d.get("functionName");
                }
            }
        }
        return name;
    }

    private static long num(Map<String, Object> e, String k) {
        Object v = e.get(k);
        return v == null ? 0 : ((Number) v).longValue();
    }
}
