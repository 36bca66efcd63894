package io.dialectica.e2e;

import io.dialectica.e2e.convergence.ConceptImage;
import io.dialectica.e2e.convergence.ConvergenceChecker;
import io.dialectica.e2e.convergence.Difference;
import io.dialectica.e2e.convergence.Projection;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The comparison rules of the convergence checker, without any store. */
class ConceptComparisonTest {

    private static final Projection.Profile PROFILE = new Projection.Profile(
            Set.of("name", "visibility"), Set.of("name", "weight"), Set.of("weight", "rationale"));

    private static ConceptImage concept() {
        ConceptImage image = ConceptImage.present("c1").attribute("name", "Being").attribute("visibility", "PUBLIC")
                .attribute("tradition", "Hegelian");
        image.category("a").putAll(Map.of("name", "Being", "weight", 0.5, "x", 1.0));
        image.category("b").putAll(Map.of("name", "Nothing", "weight", 0.5));
        image.relation("a", "NEGATES", "b").putAll(Map.of("weight", 0.9, "rationale", "pure"));
        return image;
    }

    @Test
    void identicalImagesHaveNoDifferenceAndUnprojectedFieldsAreIgnored() {
        ConceptImage actual = concept();
        actual.attribute("tradition", "something the store does not project");
        actual.categories.get("a").put("x", 99.0);
        assertEquals(List.of(), ConvergenceChecker.compare(concept(), actual, "s", PROFILE));
    }

    @Test
    void integersAndDoublesOfTheSameValueAreEqualAndNullIsAbsent() {
        ConceptImage actual = concept();
        actual.categories.get("a").put("weight", 0.5000000000001);
        ConceptImage expected = concept().attribute("name", null);
        actual.attribute("name", null);
        assertEquals(List.of(), ConvergenceChecker.compare(expected, actual, "s", PROFILE));
    }

    @Test
    void everyDifferenceIsReportedWithItsPathAndBothValues() {
        ConceptImage actual = concept().attribute("visibility", "PRIVATE");
        actual.categories.remove("b");
        actual.relations.values().iterator().next().put("rationale", "impure");
        actual.category("z").put("name", "Extra");
        List<Difference> differences = ConvergenceChecker.compare(concept(), actual, "neo4j", PROFILE);
        List<String> described = differences.stream().map(Difference::toString).toList();
        assertEquals(4, differences.size(), described.toString());
        assertTrue(described.contains("concept c1 in neo4j: visibility: PostgreSQL has \"PUBLIC\", neo4j has \"PRIVATE\""), described.toString());
        assertTrue(described.stream().anyMatch(d -> d.startsWith("concept c1 in neo4j: categories[Nothing (b)]: PostgreSQL has present")
                && d.endsWith("neo4j has <absent>")), described.toString());
        assertTrue(described.contains("concept c1 in neo4j: relations[Being (a) -NEGATES-> Nothing (b)].rationale: PostgreSQL has \"pure\", neo4j has \"impure\""),
                described.toString());
        assertTrue(described.stream().anyMatch(d -> d.startsWith("concept c1 in neo4j: categories[z]: PostgreSQL has <absent>")), described.toString());
    }

    @Test
    void aConceptDeletedInPostgresqlMustBeAbsentOrATombstone() {
        assertEquals(List.of(), ConvergenceChecker.compare(ConceptImage.absent("c1"), ConceptImage.absent("c1"), "s", PROFILE));
        assertEquals(List.of(), ConvergenceChecker.compare(ConceptImage.absent("c1"), null, "s", PROFILE));
        List<Difference> live = ConvergenceChecker.compare(ConceptImage.absent("c1"), concept(), "search", PROFILE);
        assertEquals(1, live.size());
        assertEquals("concept", live.getFirst().path());
        List<Difference> missing = ConvergenceChecker.compare(concept(), ConceptImage.absent("c1"), "search", PROFILE);
        assertEquals(1, missing.size());
        assertEquals(Difference.ABSENT, missing.getFirst().actual());
    }
}
