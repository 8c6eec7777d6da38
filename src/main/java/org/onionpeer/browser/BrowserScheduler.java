package org.onionpeer.browser;

import org.onionpeer.platform.Scheduler;
import org.teavm.jso.JSBody;
import org.teavm.jso.JSFunctor;
import org.teavm.jso.JSObject;

/**
 * The page's own event loop as a node's scheduler: tasks run as fresh macrotasks (MessageChannel, not the
 * 4 ms-clamped setTimeout), timers on setTimeout. Everything stays on the one page thread, which is what
 * the core expects.
 */
final class BrowserScheduler implements Scheduler {
    @JSFunctor
    interface Fn extends JSObject {
        void run();
    }

    @JSBody(script = "return performance.now();")
    private static native double perfNow();

    @JSBody(script = "return Date.now();")
    private static native double dateNow();

    @JSBody(params = {"fn", "ms"}, script = "return setTimeout(fn, ms);")
    private static native int setTimeout(Fn fn, int ms);

    @JSBody(params = "id", script = "clearTimeout(id);")
    private static native void clearTimeout(int id);

    @Override
    public long nowMillis() {
        return (long) perfNow();
    }

    @Override
    public long nowMicros() {
        return (long) (perfNow() * 1000); // performance.now() has sub-millisecond resolution
    }

    @Override
    public long epochSeconds() {
        return (long) (dateNow() / 1000);
    }

    @Override
    public void execute(Runnable task) {
        Later.run(() -> guard(task));
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
        int id = setTimeout(() -> guard(task), (int) Math.min(Integer.MAX_VALUE, Math.max(0, delayMillis)));
        return () -> clearTimeout(id);
    }

    private static void guard(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            // One failing task must not stop the node; say what happened in the console.
            log("onionpeer: task failed: " + e);
        }
    }

    @JSBody(params = "m", script = "console.warn(m);")
    static native void log(String m);
}
