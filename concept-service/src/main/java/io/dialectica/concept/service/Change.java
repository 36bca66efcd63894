package io.dialectica.concept.service;

/**
 * The result of a write: the changed thing (null for a delete), the concept's new version (its ETag)
 * and the consistency token — the PostgreSQL WAL position the write reached, at or before its commit
 * LSN. A read model that has applied the change stream up to this position has seen this write.
 */
public record Change<T>(T item, long version, String consistencyToken) {

    public <R> Change<R> with(R other) {
        return new Change<>(other, version, consistencyToken);
    }
}
