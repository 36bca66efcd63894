import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * An open-loop HTTP/1.1 load generator for ./dialectica bench api: GETs one URL at a fixed rate for a
 * fixed time, whatever the server does, over a pool of keep-alive connections, and reports the latency
 * of every request from the moment it was *due* (so a stalled server shows as latency, not as fewer
 * requests: no coordinated omission). wrk cannot do this (it is closed-loop: a slow answer delays the
 * next request and hides the stall).
 *
 * Usage: java OpenLoop.java URL RATE_PER_S SECONDS CONNECTIONS [HEADER: VALUE]...
 * Prints one line: "sent=<n> ok=<n> non2xx=<n> errors=<n> late=<n> p50_ms=<x> p90_ms=<x> p99_ms=<x> max_ms=<x>"
 * (late = requests that could not even be started within 1 s of their due time: the pool was saturated).
 */
public class OpenLoop {

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        double rate = Double.parseDouble(args[1]);
        long seconds = Long.parseLong(args[2]);
        int connections = Integer.parseInt(args[3]);
        StringBuilder request = new StringBuilder("GET ").append(url.getRawPath())
                .append(url.getRawQuery() == null ? "" : "?" + url.getRawQuery()).append(" HTTP/1.1\r\n")
                .append("Host: ").append(url.getHost()).append(':').append(url.getPort()).append("\r\n");
        for (int i = 4; i < args.length; i++) {
            request.append(args[i]).append("\r\n");
        }
        byte[] bytes = request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);

        long total = (long) (rate * seconds);
        BlockingQueue<Long> due = new ArrayBlockingQueue<>((int) Math.min(Integer.MAX_VALUE, total + 1));
        List<Long> latencies = Collections.synchronizedList(new ArrayList<>((int) total));
        AtomicLong ok = new AtomicLong(), non2xx = new AtomicLong(), errors = new AtomicLong(), late = new AtomicLong();
        long start = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(200);
        long end = start + TimeUnit.SECONDS.toNanos(seconds);
        List<Thread> workers = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            workers.add(Thread.ofPlatform().daemon().start(() -> {
                Connection connection = null;
                while (true) {
                    Long at;
                    try {
                        at = due.poll(100, TimeUnit.MILLISECONDS);
                    } catch (InterruptedException e) {
                        return;
                    }
                    if (at == null) {
                        if (System.nanoTime() > end + TimeUnit.SECONDS.toNanos(1)) {
                            return;
                        }
                        continue;
                    }
                    if (at < 0) {
                        return; // the end marker
                    }
                    if (System.nanoTime() - at > TimeUnit.SECONDS.toNanos(1)) {
                        late.incrementAndGet();
                    }
                    try {
                        if (connection == null) {
                            connection = new Connection(url.getHost(), url.getPort());
                        }
                        int status = connection.exchange(bytes);
                        latencies.add(System.nanoTime() - at);
                        if (status >= 200 && status < 300) {
                            ok.incrementAndGet();
                        } else {
                            non2xx.incrementAndGet();
                        }
                        if (!connection.keepAlive) {
                            connection.close();
                            connection = null;
                        }
                    } catch (IOException e) {
                        errors.incrementAndGet();
                        latencies.add(System.nanoTime() - at);
                        if (connection != null) {
                            connection.close();
                        }
                        connection = null;
                    }
                }
            }));
        }
        // the schedule: request i is due at start + i / rate, whatever happened to the ones before
        long interval = (long) (1_000_000_000L / rate);
        for (long i = 0; i < total; i++) {
            long at = start + i * interval;
            long wait = at - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            due.add(at);
        }
        for (int c = 0; c < connections; c++) {
            due.add(-1L);
        }
        for (Thread worker : workers) {
            worker.join(TimeUnit.SECONDS.toMillis(30));
        }
        List<Long> sorted;
        synchronized (latencies) {
            sorted = new ArrayList<>(latencies);
        }
        Collections.sort(sorted);
        System.out.println(String.format(Locale.ROOT,
                "sent=%d ok=%d non2xx=%d errors=%d late=%d p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f",
                total, ok.get(), non2xx.get(), errors.get(), late.get(), ms(sorted, 50), ms(sorted, 90), ms(sorted, 99),
                sorted.isEmpty() ? 0.0 : sorted.get(sorted.size() - 1) / 1e6));
    }

    private static double ms(List<Long> sorted, double percentile) {
        if (sorted.isEmpty()) {
            return 0;
        }
        int index = (int) Math.ceil(percentile / 100 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, index))) / 1e6;
    }

    /** One keep-alive HTTP/1.1 connection: writes a request, reads the whole answer. */
    private static final class Connection {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        boolean keepAlive = true;

        Connection(String host, int port) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 5000);
            socket.setSoTimeout(30_000);
            out = socket.getOutputStream();
            in = new BufferedInputStream(socket.getInputStream(), 16384);
        }

        int exchange(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                int colon = header.indexOf(':');
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "connection" -> keepAlive = !value.equalsIgnoreCase("close");
                    default -> { }
                }
            }
            if (chunked) {
                for (long size = Long.parseLong(line().split(";")[0].trim(), 16); size > 0;
                        size = Long.parseLong(line().split(";")[0].trim(), 16)) {
                    skip(size);
                    line();
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers are ignored
                }
            } else if (length > 0) {
                skip(length);
            }
            return status;
        }

        private void skip(long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new IOException("connection closed mid-body");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
