package io.dialectica.search;

import io.dialectica.testsupport.JwtTestResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The rebuild reads concept-service's tables through its own role: it can read the four concept tables and
 * nothing else, and it can write nothing (SQLSTATE 42501, insufficient privilege).
 */
@QuarkusTest
@QuarkusTestResource(JwtTestResource.class)
@QuarkusTestResource(SearchTestStack.class)
class RebuildRoleTest {

    @ConfigProperty(name = "quarkus.datasource.username")
    String user;

    @ConfigProperty(name = "quarkus.datasource.password")
    String password;

    @Test
    void theRebuildRoleReadsTheConceptTablesAndWritesNothing() throws SQLException {
        assertNotEquals(SearchTestStack.PG_USER, user, "the rebuild must not log in as concept-service's owner role");
        try (Connection db = DriverManager.getConnection(SearchTestStack.PG_URL, user, password);
             Statement statement = db.createStatement()) {
            for (String table : List.of("concepts", "categories", "concept_categories", "concept_relations")) {
                try (ResultSet rows = statement.executeQuery("select count(*) from " + table)) {
                    assertTrue(rows.next(), table);
                }
            }
            for (String write : List.of("delete from concepts where false",
                    "update categories set description = description where false",
                    "insert into concept_relations select * from concept_relations where false",
                    "select count(*) from cdc_heartbeat")) {
                SQLException refused = assertThrows(SQLException.class, () -> statement.execute(write), write);
                assertEquals("42501", refused.getSQLState(), write + ": " + refused.getMessage());
            }
        }
    }
}
