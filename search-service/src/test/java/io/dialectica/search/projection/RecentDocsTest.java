package io.dialectica.search.projection;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.search.index.ConceptDoc;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What the projector may take instead of reading a document back: never older than what was written last. */
class RecentDocsTest {

    private final ObjectMapper mapper = new ObjectMapper();

    private byte[] json(String id, String name) throws Exception {
        ConceptDoc doc = new ConceptDoc();
        doc.id = id;
        doc.name = name;
        return mapper.writeValueAsBytes(doc);
    }

    @Test
    void handsOutIndependentCopiesWithTheirVersions() throws Exception {
        RecentDocs recent = new RecentDocs(10, mapper);
        recent.live("concepts-v1");
        recent.written("concepts-v1", "a", 7, json("a", "Being"));
        ConceptDoc copy = recent.get(List.of("a", "b")).get("a");
        assertEquals(7, copy.appliedLsn);
        copy.name = "changed by the caller";
        assertEquals("Being", recent.get(List.of("a")).get("a").name, "the held bytes are not the caller's object");
        assertEquals(1, recent.get(List.of("a", "b")).size(), "only what was written is held");
    }

    @Test
    void neverGoesBackInVersion() throws Exception {
        RecentDocs recent = new RecentDocs(10, mapper);
        recent.live("concepts-v1");
        recent.written("concepts-v1", "a", 9, json("a", "newer"));
        recent.written("concepts-v1", "a", 8, json("a", "older, acknowledged later"));
        assertEquals("newer", recent.get(List.of("a")).get("a").name);
        recent.written("concepts-v1", "a", 9, json("a", "same version, with what another writer added"));
        assertEquals("same version, with what another writer added", recent.get(List.of("a")).get("a").name);
    }

    @Test
    void holdsOnlyTheLiveIndexAndForgetsOnRequest() throws Exception {
        RecentDocs recent = new RecentDocs(10, mapper);
        recent.live("concepts-v1");
        recent.written("concepts-v2", "a", 5, json("a", "into the index a rebuild fills"));
        assertTrue(recent.get(List.of("a")).isEmpty());
        recent.written("concepts-v1", "a", 5, json("a", "live"));
        recent.written("concepts-v1", "b", 5, json("b", "live"));
        recent.forget("concepts-v1", "a");
        assertEquals(List.of("b"), List.copyOf(recent.get(List.of("a", "b")).keySet()));
        recent.live("concepts-v2");
        assertEquals(0, recent.size(), "a switch of the live index empties it");
        recent.written("concepts-v2", "c", 5, json("c", "live"));
        recent.clear();
        assertEquals(0, recent.size(), "partitions moved");
    }

    @Test
    void keepsTheMostRecentlyUsedWithinItsCapacityAndNothingAtZero() throws Exception {
        RecentDocs recent = new RecentDocs(2, mapper);
        recent.live("i");
        recent.written("i", "a", 1, json("a", "a"));
        recent.written("i", "b", 1, json("b", "b"));
        recent.get(List.of("a"));
        recent.written("i", "c", 1, json("c", "c"));
        assertEquals(java.util.Set.of("a", "c"), recent.get(List.of("a", "b", "c")).keySet());

        RecentDocs off = new RecentDocs(0, mapper);
        off.live("i");
        off.written("i", "a", 1, json("a", "a"));
        assertTrue(off.get(List.of("a")).isEmpty());
    }
}
