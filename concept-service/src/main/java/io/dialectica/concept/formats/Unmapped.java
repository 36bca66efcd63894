package io.dialectica.concept.formats;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** Something in an imported file that the concept does not carry, or carries differently: where, and what. */
@RegisterForReflection
public record Unmapped(String at, String what) {
}
