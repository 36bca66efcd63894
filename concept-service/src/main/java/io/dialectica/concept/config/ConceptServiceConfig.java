package io.dialectica.concept.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

@ConfigMapping(prefix = "dialectica.concepts")
public interface ConceptServiceConfig {

    /** Largest request body accepted, in bytes; larger gets 413 before it is read. */
    @WithDefault("1048576")
    long maxBodyBytes();

    /** Page size of a listing when none is asked for. */
    @WithDefault("20")
    int defaultPageSize();

    /** Largest page size a listing may ask for. */
    @WithDefault("100")
    int maxPageSize();

    /** Bounds on an imported file besides its size (maxBodyBytes): docs/formats.md, "Limits". */
    Imports imports();

    interface Imports {

        /** Nodes of any kind in one file (a concept holds at most 500 categories). */
        @WithDefault("1000")
        int maxNodes();

        /** Edges in one file (a concept holds at most 2000 relations). */
        @WithDefault("4000")
        int maxEdges();

        /** Nesting of JSON values or XML elements. */
        @WithDefault("64")
        int maxDepth();
    }
}
