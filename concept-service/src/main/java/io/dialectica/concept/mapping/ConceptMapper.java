package io.dialectica.concept.mapping;

import io.dialectica.concept.model.Concept;
import io.dialectica.concept.repository.StoredConcept;
import io.dialectica.concept.repository.StoredConcept.Member;
import io.dialectica.concept.repository.StoredConcept.Relation;
import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptSummary;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Stored rows to the JSON views of the API. One order for every answer, reads and writes alike: categories by
 * display name, then membership id; relations by type, then id. Names compare by Unicode code point and ids as
 * unsigned bytes — what PostgreSQL's C.UTF-8 collation and its {@code uuid} ordering give — so the order does not
 * depend on the database's collation or on the JVM's signed {@link UUID#compareTo}.
 */
public final class ConceptMapper {

    /** Categories of a concept as every answer lists them. */
    public static final Comparator<Member> MEMBER_ORDER = Comparator.comparing(Member::name, ConceptMapper::byCodePoint)
            .thenComparing(Member::membershipId, ConceptMapper::unsigned);

    /** Relations of a concept as every answer lists them. */
    public static final Comparator<Relation> RELATION_ORDER = Comparator.comparing(Relation::type, ConceptMapper::byCodePoint)
            .thenComparing(Relation::id, ConceptMapper::unsigned);

    /** The same order for categories as views (a concept's categories have distinct names; the id breaks ties). */
    public static final Comparator<CategoryView> CATEGORY_VIEW_ORDER = Comparator.comparing(CategoryView::name,
            ConceptMapper::byCodePoint).thenComparing(CategoryView::id, ConceptMapper::unsigned);

    /** The same order for relations as views. */
    public static final Comparator<RelationView> RELATION_VIEW_ORDER = Comparator.comparing(RelationView::type,
            ConceptMapper::byCodePoint).thenComparing(RelationView::id, ConceptMapper::unsigned);

    private ConceptMapper() {
    }

    public static ConceptView toView(StoredConcept concept) {
        StoredConcept.Row row = concept.row();
        Map<UUID, String> names = categoryNames(concept.members());
        return new ConceptView(row.id(), row.owner(), row.name(), row.description(), row.tradition(), row.visibility(),
                row.qualityScore(), row.version(), row.createdAt(), row.updatedAt(),
                concept.members().stream().sorted(MEMBER_ORDER).map(ConceptMapper::toView).toList(),
                concept.relations().stream().sorted(RELATION_ORDER).map(r -> toView(r, names)).toList());
    }

    /** The categories of a concept, in the order of {@link #MEMBER_ORDER}. */
    public static List<CategoryView> categories(StoredConcept concept) {
        return concept.members().stream().sorted(MEMBER_ORDER).map(ConceptMapper::toView).toList();
    }

    /** Category id to display name, to name the ends of relations. */
    public static Map<UUID, String> categoryNames(List<Member> members) {
        Map<UUID, String> names = new HashMap<>();
        members.forEach(m -> names.put(m.categoryId(), m.name()));
        return names;
    }

    public static ConceptSummary toSummary(Concept concept) {
        return new ConceptSummary(concept.id, concept.owner, concept.name, concept.description, concept.tradition,
                concept.visibility, concept.qualityScore, concept.version, concept.createdAt, concept.updatedAt);
    }

    public static CategoryView toView(Member member) {
        return new CategoryView(member.categoryId(), member.name(), member.canonicalName(), member.description(),
                member.weight(), member.x(), member.y());
    }

    public static RelationView toView(Relation relation, Map<UUID, String> categoryNames) {
        return new RelationView(relation.id(), categoryNames.get(relation.fromCategoryId()),
                categoryNames.get(relation.toCategoryId()), relation.fromCategoryId(), relation.toCategoryId(),
                relation.type(), relation.weight(), relation.rationale());
    }

    /** Unicode code point order (String.compareTo compares UTF-16 units: wrong for characters beyond U+FFFF). */
    static int byCodePoint(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Boolean.compare(i < a.length(), j < b.length());
    }

    /** PostgreSQL's uuid order: the 16 bytes compared unsigned. */
    static int unsigned(UUID a, UUID b) {
        int high = Long.compareUnsigned(a.getMostSignificantBits(), b.getMostSignificantBits());
        return high != 0 ? high : Long.compareUnsigned(a.getLeastSignificantBits(), b.getLeastSignificantBits());
    }
}
