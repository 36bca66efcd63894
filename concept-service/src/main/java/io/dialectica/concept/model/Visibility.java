package io.dialectica.concept.model;

/** Who may see a concept: everybody, or only its owner (and administrators). */
public enum Visibility {
    PUBLIC,
    PRIVATE
}
