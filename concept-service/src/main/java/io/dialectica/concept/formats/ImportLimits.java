package io.dialectica.concept.formats;

/**
 * Bounds on an imported file besides its size (the service's body limit): nodes and edges counted while
 * reading, so a huge file stops early, and the nesting depth of its JSON or XML.
 */
public record ImportLimits(int maxNodes, int maxEdges, int maxDepth) {
}
