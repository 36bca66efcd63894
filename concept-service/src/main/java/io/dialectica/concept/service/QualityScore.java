package io.dialectica.concept.service;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;

/**
 * A transparent 0..1 heuristic of how worked-out a concept is, so listings can rank rough sketches
 * below developed ones. Five equally weighted parts (0.2 each):
 * a description of at least 80 characters (partial credit below),
 * at least 3 categories (partial credit below),
 * relations: at least one per category beyond the first (capped),
 * connectedness: the share of categories that take part in some relation,
 * justification: the share of relations that carry a rationale.
 */
public final class QualityScore {

    /**
     * The shape of a relation the score looks at. {@code from} and {@code to} identify the two categories: their
     * ids, or their canonical names (what a write knows before the ids come back); equal for the same category.
     */
    public record Edge(Object from, Object to, boolean hasRationale) {
    }

    private QualityScore() {
    }

    public static double of(String description, int categoryCount, Collection<Edge> relations) {
        double describedPart = description == null ? 0 : Math.min(1, description.strip().length() / 80.0);
        double categoriesPart = Math.min(1, categoryCount / 3.0);
        double relationsPart = categoryCount < 2 ? 0 : Math.min(1, relations.size() / (double) (categoryCount - 1));
        Set<Object> touched = new HashSet<>();
        long justified = 0;
        for (Edge edge : relations) {
            touched.add(edge.from());
            touched.add(edge.to());
            if (edge.hasRationale()) {
                justified++;
            }
        }
        double connectedPart = categoryCount == 0 ? 0 : Math.min(1, touched.size() / (double) categoryCount);
        double justifiedPart = relations.isEmpty() ? 0 : justified / (double) relations.size();
        double score = 0.2 * (describedPart + categoriesPart + relationsPart + connectedPart + justifiedPart);
        // rounded so that the stored value and the JSON value are the same short number
        return Math.round(score * 1000) / 1000.0;
    }
}
