package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.search.index.ConceptDoc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The concept documents this replica last wrote into the live index, as written (bytes and external version), so
 * that the next poll's read-modify-write of the same concepts does not read them back from OpenSearch.
 *
 * <p>Why: a realtime get of a document written since the last refresh makes OpenSearch refresh the shard
 * internally. A benchmark's writes (and any user's editing session) change the same concepts again and again, so
 * every poll's {@code _mget} paid a refresh of the concept index (profiled at 100–500 changes/s, docs/benchmarks.md).
 *
 * <p>It is a hint, never the truth: a copy can only be <i>as old as a read made earlier</i>, which the projection
 * already tolerates — writes are versioned (a concept's version only moves with its own partition's groups, which
 * this replica alone applies while it holds the partition), and what other writers put into a document at the same
 * version (another replica's category fan-out, the vector consumer) is re-applied by the category re-check and the
 * vector look-ups after each bulk. What it must never hold is a copy older than a version somebody else wrote, so:
 * it is cleared whenever partitions move or the live index changes, an entry never goes back in version, and a
 * conflicting or failed write forgets its documents.
 */
final class RecentDocs {

    private record Held(long version, byte[] source) {
    }

    private final int capacity;
    private final ObjectMapper mapper;
    private final LinkedHashMap<String, Held> entries;
    private String index;

    RecentDocs(int capacity, ObjectMapper mapper) {
        this.capacity = capacity;
        this.mapper = mapper;
        this.entries = new LinkedHashMap<>(Math.min(capacity, 1024), 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Held> eldest) {
                return size() > RecentDocs.this.capacity;
            }
        };
    }

    /** The live index the next reads are of; a different one than before empties the cache. */
    synchronized void live(String liveIndex) {
        if (!liveIndex.equals(index)) {
            entries.clear();
            index = liveIndex;
        }
    }

    synchronized void clear() {
        entries.clear();
    }

    /** Fresh copies (the caller mutates them) of the documents held, with their versions. */
    synchronized Map<String, ConceptDoc> get(Collection<String> ids) {
        Map<String, ConceptDoc> found = new HashMap<>();
        if (capacity <= 0) {
            return found;
        }
        for (String id : ids) {
            Held entry = entries.get(id);
            if (entry != null) {
                try {
                    ConceptDoc doc = mapper.readValue(entry.source(), ConceptDoc.class);
                    doc.appliedLsn = entry.version();
                    found.put(id, doc);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return found;
    }

    /** A document the live index acknowledged; ignored if it is of another index or older than the one held. */
    synchronized void written(String intoIndex, String id, long version, byte[] source) {
        if (capacity <= 0 || !intoIndex.equals(index)) {
            return;
        }
        Held held = entries.get(id);
        if (held == null || held.version() <= version) {
            entries.put(id, new Held(version, source));
        }
    }

    /** Documents whose write met a conflict or failed: read them from the index next time. */
    synchronized void forget(String fromIndex, String id) {
        if (fromIndex.equals(index)) {
            entries.remove(id);
        }
    }

    synchronized int size() {
        return entries.size();
    }
}
