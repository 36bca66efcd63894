package io.dialectica.concept.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.concept.mapping.ConceptMapper;
import io.dialectica.concept.repository.ConceptStore;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Every concept the caller owns, whole, as JSON Lines ({@code {"kind":"concept","concept":{...}}}, the concept as
 * {@code GET /api/concepts/{id}} answers it), in creation order (ties by id). Read a page at a time on a keyset
 * ({@code (created_at, id)}, both immutable), each page one statement, and written before the next is read: memory
 * holds one page whatever the number of concepts, and no pooled connection waits on a slow client. Not a snapshot:
 * a concept that exists for the whole export is in it exactly once, as it was when its page was read; one created or
 * deleted meanwhile may or may not be.
 *
 * <p>Only the caller's own concepts, PRIVATE and PUBLIC, admins included: this is "my data", not "what I can see".
 */
@ApplicationScoped
public class ConceptExport {

    /** Concepts per statement: bounds the memory of one export (a concept holds at most 500 categories). */
    static final int PAGE_SIZE = 100;

    /** One line of the export. Records serialise in component order: {@code kind} first. */
    public record ConceptLine(String kind, ConceptView concept) {
    }

    @Inject
    ConceptStore store;

    @Inject
    ObjectMapper json;

    /** The caller's concepts, one page of lines per item (lines joined by newlines; the writer ends each item with one). */
    public Multi<String> lines(Caller caller) {
        return pages(caller.subject())
                .filter(page -> !page.isEmpty())
                .map(this::lines);
    }

    private Multi<List<StoredConcept>> pages(String owner) {
        return Multi.createBy().repeating()
                .uni(Cursor::new, cursor -> page(owner, cursor))
                // the page that is not full is the last one (and it is still emitted)
                .whilst(page -> page.size() == PAGE_SIZE);
    }

    private Uni<List<StoredConcept>> page(String owner, Cursor cursor) {
        return Uni.createFrom().completionStage(() -> store.owned(store.reads(), owner, cursor.createdAt, cursor.id,
                        PAGE_SIZE).toCompletionStage())
                .invoke(page -> {
                    if (!page.isEmpty()) {
                        StoredConcept.Row last = page.getLast().row();
                        cursor.createdAt = last.createdAt();
                        cursor.id = last.id();
                    }
                });
    }

    private String lines(List<StoredConcept> page) {
        StringBuilder out = new StringBuilder();
        for (StoredConcept concept : page) {
            try {
                if (!out.isEmpty()) {
                    out.append('\n');
                }
                out.append(json.writeValueAsString(new ConceptLine("concept", ConceptMapper.toView(concept))));
            } catch (JsonProcessingException e) {
                throw new IllegalStateException("concept " + concept.row().id() + " cannot be written as JSON", e);
            }
        }
        return out.toString();
    }

    /** Where the next page starts: after this creation time and id (null before the first page). */
    private static final class Cursor {
        Instant createdAt;
        UUID id;
    }
}
