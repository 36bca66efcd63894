package io.dialectica.thesis.rest.dto;

/** The output language: a BCP 47 tag such as "en", "de" or "pt-BR". */
final class Languages {

    static final String PATTERN = "[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}";
    static final String MESSAGE = "must be a language tag such as en, de or pt-BR";

    private Languages() {
    }
}
