package io.dialectica.concept.rest.dto;

import java.util.UUID;

/** A category as it appears in one concept; {@code id} is the shared category's id. */
public record CategoryView(UUID id, String name, String canonicalName, String description, double weight, double x, double y) {
}
