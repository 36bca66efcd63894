package io.dialectica.concept.service;

/** The result of a fine-grained change: the changed part and the concept's new version (its ETag). */
public record Change<T>(T item, long version) {
}
