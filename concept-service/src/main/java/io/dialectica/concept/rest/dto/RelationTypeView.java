package io.dialectica.concept.rest.dto;

public record RelationTypeView(String code, String description) {
}
