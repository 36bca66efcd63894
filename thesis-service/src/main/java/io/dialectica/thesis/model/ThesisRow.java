package io.dialectica.thesis.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;

import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/** One thesis of a THESES job; (job, order) is unique, so a job's theses exist at most once. */
@Entity
@Table(name = "theses")
@IdClass(ThesisRow.Key.class)
public class ThesisRow {

    @Id
    @Column(name = "job_id")
    public UUID jobId;

    @Id
    @Column(name = "ord")
    public int order;

    @Column(name = "concept_id", nullable = false)
    public UUID conceptId;

    @Column(nullable = false)
    public String text;

    public String rationale;

    @Column(nullable = false)
    public String[] categories;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    public static class Key implements Serializable {
        public UUID jobId;
        public int order;

        public Key() {
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(jobId, k.jobId) && order == k.order;
        }

        @Override
        public int hashCode() {
            return Objects.hash(jobId, order);
        }
    }
}
