package org.onionpeer.jvm.net;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The one blocking call the JVM side still makes: looking a name up ({@code InetAddress.getAllByName}, which
 * may ask DNS). It runs here, on at most {@link #THREADS} threads shared by the whole process with a bounded
 * queue, never on an event loop; a full queue is an immediate RESOURCELIMIT, not a new thread. IP literals
 * never come here (the callers parse them as tor does).
 */
public final class NameResolution {
    static final int THREADS = 4;
    static final int QUEUE = 1024;

    private static ExecutorService pool;

    private NameResolution() {
    }

    public static synchronized ExecutorService pool() {
        if (pool == null) {
            AtomicInteger n = new AtomicInteger();
            ThreadPoolExecutor p = new ThreadPoolExecutor(THREADS, THREADS, 30, TimeUnit.SECONDS,
                    new LinkedBlockingQueue<>(QUEUE), r -> {
                        Thread t = new Thread(r, "onionpeer-resolve-" + n.incrementAndGet());
                        t.setDaemon(true);
                        return t;
                    });
            p.allowCoreThreadTimeOut(true);
            pool = p;
        }
        return pool;
    }
}
