package io.dialectica.e2e;

import io.dialectica.e2e.load.ConceptClient;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.IntFunction;

/** Concepts a test needs before it starts, created through concept-service by four clients at once. */
final class ConceptSeeds {

    private ConceptSeeds() {
    }

    /** Creates {@code n} concepts of {@code user}, the k-th with {@code body.apply(k)}; their replies in k order. */
    static List<ConceptClient.Reply> create(String user, int n, IntFunction<Object> body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<ConceptClient.Reply>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = i;
                futures.add(pool.submit(() -> {
                    try (ConceptClient api = new ConceptClient(Stack.conceptService().baseUrl(), user)) {
                        return api.post("/api/concepts", body.apply(k)).expect(201);
                    }
                }));
            }
            List<ConceptClient.Reply> created = new ArrayList<>();
            for (Future<ConceptClient.Reply> f : futures) {
                created.add(f.get());
            }
            return created;
        } finally {
            pool.shutdown();
        }
    }
}
