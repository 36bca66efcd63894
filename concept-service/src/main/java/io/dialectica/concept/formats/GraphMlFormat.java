package io.dialectica.concept.formats;

import io.dialectica.concept.rest.dto.CategoryView;
import io.dialectica.concept.rest.dto.ConceptView;
import io.dialectica.concept.rest.dto.RelationView;
import io.dialectica.service.problem.ApiProblem;

import javax.xml.stream.Location;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLOutputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import javax.xml.stream.XMLStreamWriter;
import java.io.ByteArrayInputStream;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * GraphML (graphml.graphdrawing.org), as yEd, Gephi and JGraphT read and write it. Export: declared {@code <key>}s
 * for the concept's name, description and tradition, each category's label, description, weight, x and y, each
 * relation's type, weight and rationale; directed edges; yEd's {@code y:ShapeNode}/{@code y:PolyLineEdge} graphics so
 * yEd shows the positions and labels. Import reads those keys by {@code attr.name} (so Gephi's label, weight, x, y
 * and yEd's own labels and geometry work too). The table is docs/formats.md's "GraphML".
 *
 * <p>Parsed with the JDK's StAX reader, DTDs and external entities off: a DOCTYPE is refused outright (GraphML needs
 * none, and a DTD is where XXE and "billion laughs" entities live), so no entity other than XML's five is ever
 * expanded.
 */
public final class GraphMlFormat {

    static final String GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns";
    static final String YED_NS = "http://www.yworks.com/xml/graphml";
    static final String XSI_NS = "http://www.w3.org/2001/XMLSchema-instance";
    static final double HEIGHT = 60;

    private GraphMlFormat() {
    }

    // ---- export --------------------------------------------------------------------------------------------------

    public static String write(ConceptView concept) {
        StringWriter out = new StringWriter();
        try {
            XMLStreamWriter xml = XMLOutputFactory.newDefaultFactory().createXMLStreamWriter(out);
            xml.writeStartDocument("UTF-8", "1.0");
            xml.writeCharacters("\n");
            xml.writeStartElement("graphml");
            xml.writeDefaultNamespace(GRAPHML_NS);
            xml.writeNamespace("xsi", XSI_NS);
            xml.writeNamespace("y", YED_NS);
            xml.writeAttribute(XSI_NS, "schemaLocation",
                    GRAPHML_NS + " http://www.yworks.com/xml/schema/graphml/1.1/ygraphml.xsd");
            key(xml, "name", "graph", "name", "string");
            key(xml, "description", "graph", "description", "string");
            key(xml, "tradition", "graph", "tradition", "string");
            key(xml, "label", "node", "label", "string");
            key(xml, "category_description", "node", "description", "string");
            key(xml, "weight", "node", "weight", "double");
            key(xml, "x", "node", "x", "double");
            key(xml, "y", "node", "y", "double");
            yedKey(xml, "nodegraphics", "node");
            key(xml, "type", "edge", "type", "string");
            key(xml, "relation_weight", "edge", "weight", "double");
            key(xml, "rationale", "edge", "rationale", "string");
            yedKey(xml, "edgegraphics", "edge");
            indent(xml, 1);
            xml.writeStartElement("graph");
            xml.writeAttribute("id", concept.id().toString());
            xml.writeAttribute("edgedefault", "directed");
            data(xml, 2, "name", concept.name());
            data(xml, 2, "description", concept.description());
            data(xml, 2, "tradition", concept.tradition());
            for (CategoryView category : concept.categories()) {
                indent(xml, 2);
                xml.writeStartElement("node");
                xml.writeAttribute("id", category.id().toString());
                data(xml, 3, "label", category.name());
                data(xml, 3, "category_description", category.description());
                data(xml, 3, "weight", Double.toString(category.weight()));
                data(xml, 3, "x", Double.toString(category.x()));
                data(xml, 3, "y", Double.toString(category.y()));
                indent(xml, 3);
                xml.writeStartElement("data");
                xml.writeAttribute("key", "nodegraphics");
                xml.writeStartElement(YED_NS, "ShapeNode");
                xml.writeEmptyElement(YED_NS, "Geometry");
                xml.writeAttribute("x", Double.toString(category.x()));
                xml.writeAttribute("y", Double.toString(category.y()));
                xml.writeAttribute("width", Double.toString(CanvasFormat.width(category.weight())));
                xml.writeAttribute("height", Double.toString(HEIGHT));
                xml.writeStartElement(YED_NS, "NodeLabel");
                xml.writeCharacters(xmlText(category.name()));
                xml.writeEndElement();
                xml.writeEndElement();
                xml.writeEndElement();
                indent(xml, 2);
                xml.writeEndElement();
            }
            for (RelationView relation : concept.relations()) {
                indent(xml, 2);
                xml.writeStartElement("edge");
                xml.writeAttribute("id", relation.id().toString());
                xml.writeAttribute("source", relation.fromCategoryId().toString());
                xml.writeAttribute("target", relation.toCategoryId().toString());
                data(xml, 3, "type", relation.type());
                data(xml, 3, "relation_weight", Double.toString(relation.weight()));
                data(xml, 3, "rationale", relation.rationale());
                indent(xml, 3);
                xml.writeStartElement("data");
                xml.writeAttribute("key", "edgegraphics");
                xml.writeStartElement(YED_NS, "PolyLineEdge");
                xml.writeEmptyElement(YED_NS, "Arrows");
                xml.writeAttribute("source", "none");
                xml.writeAttribute("target", "standard");
                xml.writeStartElement(YED_NS, "EdgeLabel");
                xml.writeCharacters(relation.type());
                xml.writeEndElement();
                xml.writeEndElement();
                xml.writeEndElement();
                indent(xml, 2);
                xml.writeEndElement();
            }
            indent(xml, 1);
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndElement();
            xml.writeCharacters("\n");
            xml.writeEndDocument();
            xml.close();
        } catch (XMLStreamException e) {
            throw new IllegalStateException("writing GraphML to a string failed", e);
        }
        return out.toString();
    }

    private static void key(XMLStreamWriter xml, String id, String domain, String name, String type) throws XMLStreamException {
        indent(xml, 1);
        xml.writeEmptyElement("key");
        xml.writeAttribute("id", id);
        xml.writeAttribute("for", domain);
        xml.writeAttribute("attr.name", name);
        xml.writeAttribute("attr.type", type);
    }

    private static void yedKey(XMLStreamWriter xml, String id, String domain) throws XMLStreamException {
        indent(xml, 1);
        xml.writeEmptyElement("key");
        xml.writeAttribute("id", id);
        xml.writeAttribute("for", domain);
        xml.writeAttribute("yfiles.type", id);
    }

    private static void data(XMLStreamWriter xml, int depth, String key, String value) throws XMLStreamException {
        if (value == null) {
            return;
        }
        indent(xml, depth);
        xml.writeStartElement("data");
        xml.writeAttribute("key", key);
        xml.writeCharacters(xmlText(value));
        xml.writeEndElement();
    }

    private static void indent(XMLStreamWriter xml, int depth) throws XMLStreamException {
        xml.writeCharacters("\n" + "  ".repeat(depth));
    }

    /** XML 1.0 cannot hold most C0 control characters, even escaped: each becomes U+FFFD (docs/formats.md). */
    static String xmlText(String text) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean legal = c >= 0x20 ? c != 0xFFFE && c != 0xFFFF : c == '\t' || c == '\n' || c == '\r';
            if (!legal) {
                if (out == null) {
                    out = new StringBuilder(text.substring(0, i));
                }
                out.append('\uFFFD');
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? text : out.toString();
    }

    // ---- import --------------------------------------------------------------------------------------------------

    private record Key(String id, String domain, String name, String yfilesType, String defaultValue) {

        boolean applies(String element) {
            return domain == null || domain.equals("all") || domain.equals(element);
        }
    }

    /** A node or an edge as read: where it started, its attributes and its data by key id. */
    private static final class Element {
        final String kind;
        final String id;
        final int line;
        final int column;
        final Map<String, String> data = new HashMap<>();
        String source;
        String target;
        String directed;
        boolean group;
        String yedLabel;
        Double yedX;
        Double yedY;
        String arrowSource;
        String arrowTarget;

        Element(String kind, String id, Location at) {
            this.kind = kind;
            this.id = id;
            this.line = at.getLineNumber();
            this.column = at.getColumnNumber();
        }

        String where() {
            return kind + " '" + id + "'";
        }
    }

    public static Imported read(byte[] body, ImportLimits limits, Set<String> relationTypes, String nameOverride) {
        if (body.length == 0) {
            throw FileProblems.invalid("body", "the file is empty");
        }
        Map<String, Key> keys = new HashMap<>();
        Map<String, String> graphData = new HashMap<>();
        List<Element> nodes = new ArrayList<>();
        List<Element> edges = new ArrayList<>();
        String edgeDefault = "directed";
        XMLStreamReader xml = null;
        try {
            xml = factory().createXMLStreamReader(new ByteArrayInputStream(body));
            List<Element> open = new ArrayList<>(); // the nodes and edge the reader is inside, innermost last
            int depth = 0;
            int graphs = 0;
            boolean root = true;
            while (xml.hasNext()) {
                int event = xml.next();
                if (event == XMLStreamConstants.DTD) {
                    throw at(xml.getLocation(), "a DOCTYPE is refused: GraphML needs no DTD, and DTDs define the entities "
                            + "of XXE and entity-expansion attacks");
                }
                if (event == XMLStreamConstants.ENTITY_REFERENCE) {
                    throw at(xml.getLocation(), "the entity &" + xml.getLocalName() + "; is not declared");
                }
                if (event == XMLStreamConstants.END_ELEMENT) {
                    depth--;
                    String name = xml.getLocalName();
                    if ((name.equals("node") || name.equals("edge")) && !open.isEmpty()) {
                        open.remove(open.size() - 1);
                    }
                    continue;
                }
                if (event != XMLStreamConstants.START_ELEMENT) {
                    continue;
                }
                if (++depth > limits.maxDepth()) {
                    throw at(xml.getLocation(), "nested deeper than " + limits.maxDepth() + " elements");
                }
                String name = xml.getLocalName();
                if (root) {
                    root = false;
                    if (!name.equals("graphml")) {
                        throw at(xml.getLocation(), "the root element is <" + name + ">, not <graphml>");
                    }
                    continue;
                }
                Element owner = open.isEmpty() ? null : open.get(open.size() - 1);
                switch (name) {
                    case "key" -> {
                        String id = attribute(xml, "id");
                        Key key = new Key(id, attribute(xml, "for"), attribute(xml, "attr.name"),
                                attribute(xml, "yfiles.type"), readDefault(xml));
                        depth--; // readDefault consumed the key's end
                        if (id == null) {
                            throw at(xml.getLocation(), "a <key> without an id");
                        }
                        keys.put(id, key);
                    }
                    case "graph" -> {
                        if (++graphs == 1) {
                            String declared = attribute(xml, "edgedefault");
                            edgeDefault = declared == null ? "directed" : declared;
                        }
                        if (owner != null) {
                            owner.group = true;
                        }
                    }
                    case "node" -> {
                        Element node = new Element("node", attribute(xml, "id"), xml.getLocation());
                        if (node.id == null) {
                            throw at(xml.getLocation(), "a <node> without an id");
                        }
                        if (nodes.size() == limits.maxNodes()) {
                            throw at(xml.getLocation(), "more than " + limits.maxNodes() + " nodes");
                        }
                        nodes.add(node);
                        open.add(node);
                    }
                    case "edge" -> {
                        Element edge = new Element("edge", attribute(xml, "id"), xml.getLocation());
                        if (edges.size() == limits.maxEdges()) {
                            throw at(xml.getLocation(), "more than " + limits.maxEdges() + " edges");
                        }
                        edge.source = attribute(xml, "source");
                        edge.target = attribute(xml, "target");
                        edge.directed = attribute(xml, "directed");
                        edges.add(edge);
                        open.add(edge);
                    }
                    case "data" -> {
                        String keyId = attribute(xml, "key");
                        Key key = keys.get(keyId);
                        if (key != null && key.yfilesType() != null && owner != null) {
                            readYed(xml, owner);
                        } else {
                            String value = readText(xml);
                            if (owner != null) {
                                owner.data.put(keyId, value);
                            } else if (graphs == 1) {
                                graphData.put(keyId, value);
                            }
                        }
                        depth--; // the data's end was consumed
                    }
                    default -> {
                        // hyperedges, ports, endpoints, the graphml-level data and anything else: not part of a concept
                    }
                }
            }
        } catch (XMLStreamException e) {
            Location at = e.getLocation();
            String what = "not well-formed XML: " + e.getMessage().replaceFirst("(?s)^ParseError at \\[row,col\\]:\\[\\d+,\\d+\\]\\s*Message: ", "");
            throw at == null ? FileProblems.invalid("body", what) : FileProblems.at(at.getLineNumber(), at.getColumnNumber(), what);
        } finally {
            if (xml != null) {
                try {
                    xml.close();
                } catch (XMLStreamException ignored) {
                    // nothing to release for a byte array
                }
            }
        }
        return map(keys, graphData, nodes, edges, edgeDefault, relationTypes, nameOverride);
    }

    private static Imported map(Map<String, Key> keys, Map<String, String> graphData, List<Element> nodes,
            List<Element> edges, String edgeDefault, Set<String> relationTypes, String nameOverride) {
        ConceptDraft draft = new ConceptDraft(relationTypes);
        draft.name("graph", value(keys, graphData, "graph", "name"));
        draft.description("graph", value(keys, graphData, "graph", "description"));
        draft.tradition("graph", value(keys, graphData, "graph", "tradition"));
        Map<String, Element> byId = new HashMap<>();
        for (Element node : nodes) {
            if (byId.putIfAbsent(node.id, node) != null) {
                throw FileProblems.at(node.line, node.column, node.where() + ": the id is used by another node too");
            }
            if (node.group) {
                draft.unmapped(node.where(), "a group (a node holding a graph): its nodes are read, it is not a category");
                continue;
            }
            String label = value(keys, node.data, "node", "label");
            String name = label != null ? label : node.yedLabel != null ? node.yedLabel : value(keys, node.data, "node", "name");
            if (name == null) {
                name = node.id;
                draft.unmapped(node.where(), "has no label; its id names the category");
            }
            Double x = number(node, "x", value(keys, node.data, "node", "x"));
            Double y = number(node, "y", value(keys, node.data, "node", "y"));
            draft.category(node.where(), name, value(keys, node.data, "node", "description"),
                    number(node, "weight", value(keys, node.data, "node", "weight")),
                    x != null ? x : node.yedX, y != null ? y : node.yedY);
        }
        for (Element edge : edges) {
            String where = edge.id == null ? "edge at line " + edge.line : edge.where();
            for (String end : new String[] {edge.source, edge.target}) {
                if (end == null || !byId.containsKey(end)) {
                    throw FileProblems.at(edge.line, edge.column, where + ": "
                            + (end == null ? "source and target are required" : "node '" + end + "' is not in the file"));
                }
            }
            String source = edge.source;
            String target = edge.target;
            boolean directed = edge.directed != null ? edge.directed.equals("true") : edgeDefault.equals("directed");
            if (edge.arrowTarget != null && edge.arrowTarget.equals("none") && edge.arrowSource != null
                    && !edge.arrowSource.equals("none")) {
                source = edge.target;
                target = edge.source;
            } else if (!directed) {
                draft.unmapped(where, "is undirected; read from source to target");
            }
            String type = value(keys, edge.data, "edge", "type");
            if (type == null) {
                type = edge.yedLabel != null ? edge.yedLabel : value(keys, edge.data, "edge", "label");
            }
            String rationale = value(keys, edge.data, "edge", "rationale");
            if (rationale == null) {
                rationale = value(keys, edge.data, "edge", "description");
            }
            draft.relation(where, "node '" + source + "'", "node '" + target + "'", type,
                    number(edge, "weight", value(keys, edge.data, "edge", "weight")), rationale);
        }
        return draft.build(nameOverride, "Imported graph");
    }

    /** The value of the attribute named {@code name} (any case) for this domain: the element's data, else the key's default. */
    private static String value(Map<String, Key> keys, Map<String, String> data, String domain, String name) {
        for (Key key : keys.values()) {
            if (key.name() != null && key.name().equalsIgnoreCase(name) && key.applies(domain)) {
                String value = data.getOrDefault(key.id(), key.defaultValue());
                if (value != null && !value.isBlank()) {
                    return value;
                }
            }
        }
        return null;
    }

    private static Double number(Element element, String field, String text) {
        if (text == null) {
            return null;
        }
        try {
            double value = Double.parseDouble(text.strip());
            if (Double.isFinite(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw FileProblems.at(element.line, element.column, element.where() + ": " + field + " '" + text.strip()
                + "' is not a number");
    }

    /** The text of the current element, child elements' text included, up to and including its end. */
    private static String readText(XMLStreamReader xml) throws XMLStreamException {
        StringBuilder text = new StringBuilder();
        int depth = 1;
        while (depth > 0) {
            int event = xml.next();
            switch (event) {
                case XMLStreamConstants.START_ELEMENT -> depth++;
                case XMLStreamConstants.END_ELEMENT -> depth--;
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> text.append(xml.getText());
                case XMLStreamConstants.ENTITY_REFERENCE -> throw at(xml.getLocation(),
                        "the entity &" + xml.getLocalName() + "; is not declared");
                default -> {
                }
            }
        }
        return text.toString();
    }

    /** A key's {@code <default>}, reading to the end of the key. */
    private static String readDefault(XMLStreamReader xml) throws XMLStreamException {
        String value = null;
        int depth = 1;
        while (depth > 0) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                if (depth == 1 && xml.getLocalName().equals("default")) {
                    value = readText(xml);
                    continue;
                }
                depth++;
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                depth--;
            }
        }
        return value;
    }

    /** yEd's graphics: the first geometry, the first label's own text, the arrows; up to the data's end. */
    private static void readYed(XMLStreamReader xml, Element owner) throws XMLStreamException {
        int depth = 1;
        int labelDepth = -1;
        StringBuilder label = null;
        while (depth > 0) {
            int event = xml.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                depth++;
                switch (xml.getLocalName()) {
                    case "Geometry" -> {
                        if (owner.yedX == null) {
                            owner.yedX = number(owner, "y:Geometry x", attribute(xml, "x"));
                            owner.yedY = number(owner, "y:Geometry y", attribute(xml, "y"));
                        }
                    }
                    case "NodeLabel", "EdgeLabel" -> {
                        if (owner.yedLabel == null && label == null) {
                            label = new StringBuilder();
                            labelDepth = depth;
                        }
                    }
                    case "Arrows" -> {
                        owner.arrowSource = attribute(xml, "source");
                        owner.arrowTarget = attribute(xml, "target");
                    }
                    default -> {
                    }
                }
            } else if (event == XMLStreamConstants.END_ELEMENT) {
                if (depth == labelDepth && label != null) {
                    owner.yedLabel = label.toString().strip().isEmpty() ? null : label.toString().strip();
                    labelDepth = -1;
                }
                depth--;
            } else if ((event == XMLStreamConstants.CHARACTERS || event == XMLStreamConstants.CDATA)
                    && label != null && depth == labelDepth) {
                label.append(xml.getText());
            }
        }
    }

    private static String attribute(XMLStreamReader xml, String name) {
        for (int i = 0; i < xml.getAttributeCount(); i++) {
            if (xml.getAttributeLocalName(i).equals(name)) {
                return xml.getAttributeValue(i);
            }
        }
        return null;
    }

    private static ApiProblem at(Location location, String what) {
        return FileProblems.at(location.getLineNumber(), location.getColumnNumber(), what);
    }

    /**
     * The JDK's own StAX reader (not whichever the class path offers): no DTD, no external entities, no resolver
     * that could fetch one, coalesced text.
     */
    private static XMLInputFactory factory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        factory.setXMLResolver((publicId, systemId, base, namespace) -> {
            throw new XMLStreamException("external resources are refused: " + systemId);
        });
        return factory;
    }
}
