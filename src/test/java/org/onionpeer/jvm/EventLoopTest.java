package org.onionpeer.jvm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.onionpeer.platform.Scheduler;

class EventLoopTest {
    @Test
    void tasksFromOneThreadRunInOrderOnTheLoop() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            List<Integer> seen = new ArrayList<>(); // loop-confined
            boolean[] onLoop = {true};
            for (int i = 0; i < 1000; i++) {
                int n = i;
                loop.execute(() -> {
                    onLoop[0] &= loop.inLoop();
                    seen.add(n);
                });
            }
            List<Integer> got = loop.call(() -> new ArrayList<>(seen), 10);
            assertEquals(1000, got.size());
            for (int i = 0; i < 1000; i++) {
                assertEquals(i, got.get(i));
            }
            assertTrue(loop.call(() -> onLoop[0], 10), "every task ran on the loop's thread");
            assertFalse(loop.inLoop());
        }
    }

    @Test
    void noTaskFromManyThreadsIsLost() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            int[] count = {0}; // loop-confined, not atomic: a task off the loop would show as a lost count
            Thread[] ts = new Thread[4];
            for (int t = 0; t < ts.length; t++) {
                ts[t] = new Thread(() -> {
                    for (int i = 0; i < 20_000; i++) {
                        loop.execute(() -> count[0]++);
                    }
                });
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
            assertEquals(80_000, loop.call(() -> count[0], 10));
        }
    }

    @Test
    void aTaskTheLoopQueuesRunsBehindWhatWasQueuedBefore() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            List<String> order = new ArrayList<>();
            java.util.concurrent.CompletableFuture<List<String>> last = new java.util.concurrent.CompletableFuture<>();
            loop.call(() -> {
                loop.execute(() -> order.add("a1"));
                loop.execute(() -> {
                    order.add("a2");
                    loop.execute(() -> {
                        order.add("a3");
                        last.complete(new ArrayList<>(order));
                    });
                });
                loop.execute(() -> order.add("a4"));
                return null;
            }, 10);
            assertEquals(List.of("a1", "a2", "a4", "a3"), last.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void timersFireInDueOrderAndTiesInTheOrderTheyWereSet() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            List<String> order = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(4);
            loop.call(() -> {
                loop.schedule(60, () -> { order.add("c"); done.countDown(); });
                loop.schedule(20, () -> { order.add("a"); done.countDown(); });
                loop.schedule(40, () -> { order.add("b"); done.countDown(); });
                loop.schedule(60, () -> { order.add("d"); done.countDown(); });
                return null;
            }, 10);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("a", "b", "c", "d"), loop.call(() -> new ArrayList<>(order), 10));
        }
    }

    @Test
    void aCancelledTimerNeverRunsEvenWhenCancelledInTheTurnItIsDue() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            List<String> ran = new ArrayList<>();
            CountDownLatch done = new CountDownLatch(1);
            Scheduler.Cancellable fromOutside = loop.schedule(30, () -> ran.add("cancelled from another thread"));
            fromOutside.cancel();
            loop.call(() -> {
                loop.schedule(30, () -> ran.add("cancelled on the loop")).cancel();
                // Both due at once: the first (set first) cancels the second, which is already taken out as due.
                Scheduler.Cancellable[] second = new Scheduler.Cancellable[1];
                loop.schedule(0, () -> second[0].cancel());
                second[0] = loop.schedule(0, () -> ran.add("cancelled in its own turn"));
                loop.schedule(60, () -> {
                    ran.add("kept");
                    done.countDown();
                });
                return null;
            }, 10);
            assertTrue(done.await(10, TimeUnit.SECONDS));
            assertEquals(List.of("kept"), loop.call(() -> new ArrayList<>(ran), 10));
        }
    }

    @Test
    void aTaskThatThrowsDoesNotStopTheLoop() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            loop.execute(() -> {
                throw new IllegalStateException("a handler's bug (expected in this test)");
            });
            assertEquals("still running", loop.call(() -> "still running", 10));
        }
    }

    @Test
    void callFromTheLoopIsRefused() throws Exception {
        try (EventLoop loop = new EventLoop("t")) {
            IllegalStateException e = loop.call(() -> assertThrows(IllegalStateException.class,
                    () -> loop.call(() -> 1, 1)), 10);
            assertEquals("call() from the loop's own thread would wait for itself", e.getMessage());
        }
    }

    @Test
    void theHeapMatchesASortedMapUnderRandomAddsRemovesAndPolls() {
        long seed = System.nanoTime();
        System.out.println("[EventLoopTest] TimerHeap seed " + seed);
        Random rnd = new Random(seed);
        TimerHeap heap = new TimerHeap();
        // Reference: (due, insertion order) -> timer.
        TreeMap<Long, TimerHeap.Timer> ref = new TreeMap<>();
        List<TimerHeap.Timer> live = new ArrayList<>();
        long order = 0;
        for (int step = 0; step < 20_000; step++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                TimerHeap.Timer t = new TimerHeap.Timer(rnd.nextInt(50), () -> { });
                heap.add(t);
                ref.put(t.dueNanos * 1_000_000L + order++, t);
                live.add(t);
            } else if (op < 8 && !live.isEmpty()) {
                TimerHeap.Timer t = live.remove(rnd.nextInt(live.size()));
                heap.remove(t);
                heap.remove(t); // twice: the second is a no-op
                ref.values().remove(t);
            } else {
                long now = rnd.nextInt(50);
                TimerHeap.Timer got = heap.due(now);
                Long first = ref.isEmpty() ? null : ref.firstKey();
                TimerHeap.Timer want = first != null && ref.get(first).dueNanos <= now ? ref.remove(first) : null;
                assertTrue(got == want, "seed " + seed + " step " + step);
                if (got != null) {
                    live.remove(got);
                }
            }
            assertEquals(ref.size(), heap.size(), "seed " + seed + " step " + step);
            assertEquals(ref.isEmpty() ? Long.MAX_VALUE : ref.firstEntry().getValue().dueNanos, heap.nextDue(),
                    "seed " + seed + " step " + step);
        }
    }
}
