package io.dialectica.search.rest;

import io.dialectica.search.service.Caller;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The JWT subject (as concept-service reads it); groups admin and service see private concepts too. */
@RequestScoped
public class CallerFactory {

    public static final String ADMIN_GROUP = "admin";
    public static final String SERVICE_GROUP = "service";

    @Inject
    JsonWebToken jwt;

    @Inject
    SecurityIdentity identity;

    public Caller current() {
        String subject = jwt.getSubject() != null ? jwt.getSubject() : identity.getPrincipal().getName();
        return new Caller(subject, identity.hasRole(ADMIN_GROUP) || identity.hasRole(SERVICE_GROUP));
    }
}
