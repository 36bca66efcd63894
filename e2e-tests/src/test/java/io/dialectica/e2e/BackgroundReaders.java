package io.dialectica.e2e;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Readers that keep reading in the background while a test changes things under them (a rebuild, a snapshot), each
 * on its own thread with its own clients, every read that fails kept as an error. A reader gives up after 20 errors.
 */
final class BackgroundReaders implements AutoCloseable {

    /** One reader's clients and its round of reads. */
    interface Reader extends AutoCloseable {
        /** Round {@code i} (the first is the reader's number): reports what failed, returns how many reads it made. */
        int round(int i, Consumer<String> errors);

        @Override
        void close();
    }

    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicInteger reads = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> errors = new ConcurrentLinkedQueue<>();
    private final ExecutorService pool;
    private final List<Future<?>> tasks = new ArrayList<>();

    private BackgroundReaders(int readers) {
        pool = Executors.newFixedThreadPool(readers);
    }

    /** Starts {@code readers} readers made by {@code reader}, each pausing {@code pauseMs} between its rounds. */
    static BackgroundReaders start(int readers, long pauseMs, IntFunction<Reader> reader) {
        BackgroundReaders started = new BackgroundReaders(readers);
        for (int r = 0; r < readers; r++) {
            int number = r;
            started.tasks.add(started.pool.submit(() -> started.loop(number, pauseMs, reader)));
        }
        return started;
    }

    private void loop(int number, long pauseMs, IntFunction<Reader> factory) {
        try (Reader reader = factory.apply(number)) {
            for (int i = number; !stop.get() && errors.size() <= 20; i++) {
                reads.addAndGet(reader.round(i, errors::add));
                try {
                    Thread.sleep(pauseMs);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
        }
    }

    int reads() {
        return reads.get();
    }

    List<String> errors() {
        return List.copyOf(errors);
    }

    /** Stops the readers and waits for them (a reader that threw fails the test here). */
    @Override
    public void close() throws InterruptedException, ExecutionException {
        stop.set(true);
        try {
            for (Future<?> task : tasks) {
                task.get();
            }
        } finally {
            pool.shutdown();
        }
    }
}
