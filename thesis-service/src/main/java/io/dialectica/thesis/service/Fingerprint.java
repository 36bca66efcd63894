package io.dialectica.thesis.service;

import io.dialectica.contracts.generation.GenerationRequest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * What makes two creation requests "the same" for an Idempotency-Key: the job type, the concepts in
 * order, and the parameters after defaults are applied ({@code {}} and {@code {"count":5}} are the same), priority
 * included (an interactive and a batch request are different requests).
 */
public final class Fingerprint {

    private Fingerprint() {
    }

    public static String of(JobCommand command) {
        StringBuilder canonical = new StringBuilder(command.type().name());
        for (UUID id : command.conceptIds()) {
            canonical.append('|').append(id);
        }
        canonical.append("|count=").append(command.count())
                .append("|language=").append(command.language())
                .append("|mode=").append(command.mode());
        if (!GenerationRequest.INTERACTIVE.equals(command.priority())) {
            // only when not the default: fingerprints of interactive jobs stay what they were before priorities
            canonical.append("|priority=").append(command.priority());
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
