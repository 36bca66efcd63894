package io.dialectica.service.security;

import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** The caller of the current request: the JWT subject (else the principal name, i.e. upn) and its groups. */
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
        return new Caller(subject, identity.hasRole(ADMIN_GROUP), identity.hasRole(SERVICE_GROUP));
    }
}
