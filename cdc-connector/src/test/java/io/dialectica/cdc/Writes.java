package io.dialectica.cdc;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stream of small transactions on concepts of its own, the way concept-service writes (every change in one
 * transaction; memberships and relations with their concept): renames, weight changes, removed relations, new
 * concepts with new categories, deleted concepts, filled-in category descriptions. Runs on its own thread until
 * stopped.
 */
final class Writes implements AutoCloseable {

    private record Seeded(UUID concept, List<UUID> categories) {
    }

    private final List<Seeded> live = new ArrayList<>();
    private final Random random = new Random(11);
    private final AtomicInteger transactions = new AtomicInteger();
    private final Thread thread;
    private volatile boolean stopped;
    private volatile Exception failure;

    private Writes(List<Seeded> seeded) {
        live.addAll(seeded);
        thread = new Thread(this::run, "writes");
        thread.setDaemon(true);
    }

    /** Creates {@code concepts} concepts (one transaction each), then starts writing. */
    static Writes start(int concepts) throws Exception {
        List<Seeded> seeded = new ArrayList<>();
        for (int i = 0; i < concepts; i++) {
            seeded.add(create(new Random(i)));
        }
        Writes writes = new Writes(seeded);
        writes.thread.start();
        return writes;
    }

    int transactions() {
        return transactions.get();
    }

    private void run() {
        try {
            while (!stopped) {
                step();
                transactions.incrementAndGet();
                Thread.sleep(3);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
        }
    }

    private void step() throws Exception {
        int dice = random.nextInt(100);
        if (live.size() < 5 || dice < 12) {
            live.add(create(random));
            return;
        }
        Seeded target = live.get(random.nextInt(live.size()));
        if (dice < 50) {
            String name = "renamed " + random.nextInt(1_000_000);
            Sql.tx(c -> Sql.exec(c, "update concepts set name = ?, version = version + 1, updated_at = now() where id = ?",
                    name, target.concept()));
        } else if (dice < 70) {
            double weight = random.nextInt(101) / 100.0;
            Sql.tx(c -> {
                Sql.exec(c, "update concept_categories set weight = ? where concept_id = ? and category_id = ?", weight,
                        target.concept(), target.categories().get(random.nextInt(target.categories().size())));
                Sql.exec(c, "update concepts set version = version + 1 where id = ?", target.concept());
            });
        } else if (dice < 80) {
            Sql.tx(c -> {
                Sql.exec(c, "delete from concept_relations where id = (select id from concept_relations "
                        + "where concept_id = ? order by id limit 1)", target.concept());
                Sql.exec(c, "update concepts set version = version + 1 where id = ?", target.concept());
            });
        } else if (dice < 90) {
            String description = "filled in " + random.nextInt(1_000_000);
            UUID category = target.categories().get(random.nextInt(target.categories().size()));
            Sql.tx(c -> Sql.exec(c, "update categories set description = ? where id = ?", description, category));
        } else {
            live.remove(target);
            Sql.tx(c -> Sql.exec(c, "delete from concepts where id = ?", target.concept()));
        }
    }

    /** A concept with three new categories, their memberships and two relations, in one transaction. */
    private static Seeded create(Random random) throws Exception {
        UUID concept = UUID.randomUUID();
        List<UUID> categories = List.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        Sql.tx(c -> {
            Sql.insertConcept(c, concept, "snapshot " + random.nextInt(1_000_000), "written while snapshotting");
            for (int i = 0; i < categories.size(); i++) {
                Sql.insertCategory(c, categories.get(i), "Moment" + i);
                Sql.insertMembership(c, UUID.randomUUID(), concept, categories.get(i), (i + 1) / 4.0);
            }
            Sql.insertRelation(c, UUID.randomUUID(), concept, categories.get(0), categories.get(1), "NEGATES");
            Sql.insertRelation(c, UUID.randomUUID(), concept, categories.get(1), categories.get(2), "SUBLATES");
        });
        return new Seeded(concept, categories);
    }

    /** Stops writing and waits for the last transaction; throws what the writer met. */
    @Override
    public void close() throws Exception {
        stopped = true;
        thread.join(30_000);
        if (failure != null) {
            throw failure;
        }
    }
}
