package io.dialectica.contracts.generation;

/** What a generation job produces. */
public enum JobType {
    /** Theses about one concept. */
    THESES,
    /** A synthesis of 2–5 concepts: a proposed new concept. */
    SYNTHESIS
}
