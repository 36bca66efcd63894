package io.dialectica.concept.service;

import io.dialectica.concept.config.ConceptServiceConfig;
import io.dialectica.concept.formats.AifFormat;
import io.dialectica.concept.formats.ArgdownFormat;
import io.dialectica.concept.formats.CanvasFormat;
import io.dialectica.concept.formats.Format;
import io.dialectica.concept.formats.GraphMlFormat;
import io.dialectica.concept.formats.ImportLimits;
import io.dialectica.concept.formats.Imported;
import io.dialectica.concept.rest.dto.ConceptInput;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.service.problem.ApiProblem;
import io.dialectica.service.security.Caller;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.validation.ConstraintViolation;
import jakarta.validation.Path;
import jakarta.validation.Validator;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Concepts out to files and files in as concepts (the mapping itself is {@code io.dialectica.concept.formats}).
 * An import is a normal create: the file becomes a {@link ConceptInput}, checked by the same Bean Validation
 * constraints and {@link GraphPlan} rules as a POST body, then written by {@link ConceptService#create} in its one
 * transaction. Every check runs before the transaction begins, so a refused file writes nothing. A broken rule is
 * reported under the concept's field path and the node or edge of the file it came from.
 */
@ApplicationScoped
public class ConceptTransfer {

    private static final Pattern INDEXED = Pattern.compile("^(categories|relations)\\[(\\d+)]");

    @Inject
    ConceptService concepts;

    @Inject
    RelationTypes relationTypes;

    @Inject
    Validator validator;

    @Inject
    ConceptServiceConfig config;

    public String write(Format format, ConceptView concept) {
        return switch (format) {
            case CANVAS -> CanvasFormat.write(concept);
            case GRAPHML -> GraphMlFormat.write(concept);
            case ARGDOWN -> ArgdownFormat.write(concept);
            case AIF -> AifFormat.write(concept);
        };
    }

    /** Reads and checks the file as a create would check it; nothing is written. */
    public Uni<Imported> check(Format format, byte[] body, String name) {
        return relationTypes.codes().map(types -> {
            Imported imported = read(format, body, types, name);
            validate(imported);
            try {
                GraphPlan.of(imported.concept(), types);
            } catch (ApiProblem problem) {
                throw located(problem, imported);
            }
            return imported;
        });
    }

    /** Creates the concept the checked file describes: {@link ConceptService#create}, the caller owning it. */
    public Uni<Change<ConceptView>> create(Caller caller, Imported imported) {
        return concepts.create(caller, imported.concept());
    }

    private Imported read(Format format, byte[] body, Set<String> types, String name) {
        ConceptServiceConfig.Imports limits = config.imports();
        ImportLimits bounds = new ImportLimits(limits.maxNodes(), limits.maxEdges(), limits.maxDepth());
        return switch (format) {
            case CANVAS -> CanvasFormat.read(body, bounds, types, name);
            case GRAPHML -> GraphMlFormat.read(body, bounds, types, name);
            case ARGDOWN -> ArgdownFormat.read(body, bounds, types, name);
            case AIF -> AifFormat.read(body, bounds, types, name);
        };
    }

    /** The POST body's constraints (lengths, ranges, counts), each violation at its field and its node. */
    private void validate(Imported imported) {
        Set<ConstraintViolation<ConceptInput>> violations = validator.validate(imported.concept());
        if (violations.isEmpty()) {
            return;
        }
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        for (ConstraintViolation<ConceptInput> violation : violations) {
            errors.add(new ApiProblem.FieldError(field(violation.getPropertyPath()), violation.getMessage()));
        }
        errors.sort(Comparator.comparing(ApiProblem.FieldError::field));
        throw located(ApiProblem.invalid(errors), imported);
    }

    /** "categories[2].weight" → "categories[2].weight", the message naming the node the category came from. */
    static ApiProblem located(ApiProblem problem, Imported imported) {
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        for (ApiProblem.FieldError error : problem.errors()) {
            Matcher m = INDEXED.matcher(error.field());
            String source = null;
            if (m.find()) {
                int index = Integer.parseInt(m.group(2));
                List<String> sources = m.group(1).equals("categories") ? imported.categorySources() : imported.relationSources();
                source = index < sources.size() ? sources.get(index) : null;
            }
            errors.add(source == null ? error : new ApiProblem.FieldError(error.field(), source + ": " + error.message()));
        }
        return ApiProblem.invalid(errors);
    }

    /** A property path as the API names fields: {@code categories[0].weight}. */
    static String field(Path path) {
        StringBuilder field = new StringBuilder();
        for (Path.Node node : path) {
            if (node.isInIterable() && node.getIndex() != null) {
                field.append('[').append(node.getIndex()).append(']');
            }
            if (node.getKind() != jakarta.validation.ElementKind.CONTAINER_ELEMENT && node.getName() != null) {
                if (!field.isEmpty()) {
                    field.append('.');
                }
                field.append(node.getName());
            }
        }
        return field.isEmpty() ? "body" : field.toString();
    }
}
