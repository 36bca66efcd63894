package io.dialectica.thesis.service;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dialectica.service.security.Caller;
import io.dialectica.thesis.rest.dto.ExportedThesis;
import io.dialectica.thesis.rest.dto.SynthesisView;
import io.smallrye.mutiny.Multi;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import java.time.Instant;
import java.util.UUID;

/**
 * The caller's theses and syntheses as JSON Lines, for GET /api/me/export: {@code {"kind":"thesis","thesis":{...}}} per
 * thesis ({@link ExportedThesis}) and {@code {"kind":"synthesis","synthesis":{...}}} per synthesis (as
 * {@code GET /api/syntheses/{id}} answers it), in the order of their jobs' creation (ties by job id; a job's theses by
 * their order). Read a page of jobs at a time ({@link ResultPages}) and written before the next is read: memory holds
 * one page. Only the caller's own results (the jobs they requested), admins included: "my data".
 */
@ApplicationScoped
public class ResultExport {

    /** Jobs per page: a THESES job holds at most 10 theses, so a page is at most 1,000 lines. */
    static final int PAGE_SIZE = 100;

    /** A thesis line; records serialise in component order, {@code kind} first. */
    public record ThesisLine(String kind, ExportedThesis thesis) {
    }

    /** A synthesis line. */
    public record SynthesisLine(String kind, SynthesisView synthesis) {
    }

    @Inject
    ResultPages pages;

    @Inject
    ObjectMapper json;

    /** One item per page of jobs: its lines joined by newlines (the writer ends each item with one; empty pages left out). */
    public Multi<String> lines(Caller caller) {
        String owner = caller.subject();
        return Multi.createBy().repeating()
                .uni(Cursor::new, cursor -> pages.page(owner, cursor.createdAt, cursor.id, PAGE_SIZE).invoke(page -> {
                    cursor.createdAt = page.lastCreatedAt();
                    cursor.id = page.lastId();
                }))
                // the page that is not full is the last one (and it is still emitted)
                .whilst(page -> !page.last())
                .map(page -> {
                    StringBuilder out = new StringBuilder();
                    page.results().forEach(result -> {
                        if (!out.isEmpty()) {
                            out.append('\n');
                        }
                        out.append(line(result));
                    });
                    return out.toString();
                })
                .filter(text -> !text.isEmpty());
    }

    private String line(Object result) {
        Object line = result instanceof ExportedThesis thesis ? new ThesisLine("thesis", thesis)
                : new SynthesisLine("synthesis", (SynthesisView) result);
        try {
            return json.writeValueAsString(line);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a result cannot be written as JSON", e);
        }
    }

    /** Where the next page starts: after this job creation time and id (null before the first page). */
    private static final class Cursor {
        Instant createdAt;
        UUID id;
    }
}
