package io.dialectica.thesis.repository;

import io.dialectica.thesis.model.Synthesis;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

import java.util.UUID;

@ApplicationScoped
public class SynthesisRepository implements PanacheRepositoryBase<Synthesis, UUID> {
}
