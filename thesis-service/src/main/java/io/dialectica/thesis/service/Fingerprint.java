package io.dialectica.thesis.service;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;

/**
 * What makes two creation requests "the same" for an Idempotency-Key: the job type, the concepts in
 * order, and the parameters after defaults are applied ({@code {}} and {@code {"count":5}} are the same).
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
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(canonical.toString().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

}
