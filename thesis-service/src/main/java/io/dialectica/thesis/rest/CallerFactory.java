package io.dialectica.thesis.rest;

import io.dialectica.thesis.service.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The JWT subject owns what it creates; the {@code admin} group may change anything. */
@RequestScoped
public class CallerFactory {

    public static final String ADMIN_GROUP = "admin";

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    public Caller current() {
        String subject = jwt.getSubject() != null ? jwt.getSubject() : identity.getPrincipal().getName();
        return new Caller(subject, identity.hasRole(ADMIN_GROUP));
    }
}
