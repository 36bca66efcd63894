package io.dialectica.thesis.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

import java.time.Instant;
import java.util.UUID;

/** The result of a SYNTHESIS job: a proposed concept. Its id is the job's id (one synthesis per job). */
@Entity
@Table(name = "syntheses")
public class Synthesis {

    @Id
    public UUID id;

    @Column(name = "job_id", nullable = false, unique = true)
    public UUID jobId;

    @Column(name = "source_concept_ids", nullable = false)
    public UUID[] sourceConceptIds;

    @Column(nullable = false)
    public String mode;

    @Column(nullable = false)
    public String name;

    public String description;

    public String tradition;

    /** {"categories": [...], "relations": [...]} as concept-service accepts them. */
    @JdbcTypeCode(SqlTypes.JSON)
    @Column(nullable = false, columnDefinition = "jsonb")
    public ProposedGraph proposed;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;
}
