package io.dialectica.contracts;

/**
 * The read-your-writes rule between concept-service's {@code X-Consistency-Token} and a projector's
 * applied position (docs/events.md, "Consistency tokens").
 *
 * <p>The token is {@code pg_current_wal_insert_lsn()} read inside the writing transaction after its
 * last statement: it lies after every WAL record of that transaction and at or before its commit
 * record. A projector records, per concept, the {@code commitLsn} of the last source transaction it
 * applied for that concept, and per partition the highest {@code commitLsn} it has applied or passed
 * (change groups and watermarks).
 */
public final class ConsistencyToken {

    /** The HTTP header concept-service answers every write with. */
    public static final String HEADER = "X-Consistency-Token";

    private ConsistencyToken() {
    }

    /**
     * True when a read of the concept the token came from may be answered: the projection has applied a
     * source transaction of that concept committed at or after the token. Exact, because concept-service
     * holds the concept's row lock from before the token until its commit, so no other transaction of
     * the same concept commits between the token and the writing transaction's commit.
     *
     * @param appliedCommitLsn the commit LSN of the last transaction applied for the concept (also kept
     *                         after the concept was deleted); 0 if none
     */
    public static boolean coversConcept(long appliedCommitLsn, String token) {
        return appliedCommitLsn >= Lsn.parse(token);
    }

    /**
     * The same comparison for reads across concepts (search queries, paths), against the projector's
     * low watermark: the minimum over all partitions of the highest commit LSN applied or passed.
     * Not exact in one narrow case (docs/events.md): another transaction committing between the
     * token and the writer's commit can lift the watermark past the token just before the write's own
     * group is applied.
     */
    public static boolean coversWatermark(long lowWatermark, String token) {
        return lowWatermark >= Lsn.parse(token);
    }
}
