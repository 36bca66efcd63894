package io.dialectica.thesis.model;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.math.BigDecimal;
import java.time.Instant;

/** One user's monthly budget as an admin set it; users without one have the configured default. */
@Entity
@Table(name = "budgets")
public class Budget {

    @Id
    @Column(name = "user_id")
    public String userId;

    @Column(name = "monthly_usd", nullable = false)
    public BigDecimal monthlyUsd;

    @Column(name = "set_by", nullable = false)
    public String setBy;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
