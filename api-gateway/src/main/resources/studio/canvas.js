// The concept drawn with Cytoscape.js: categories at their x/y, sized by weight; relations as arrows styled by type.
import cytoscape from 'cytoscape';

/** How each relation type is drawn: colour, line style, arrow head. Unknown types fall back to grey arrows. */
export const RELATION_STYLES = {
  IMPLIES: { color: '#2f9e44', line: 'solid', arrow: 'triangle' },
  PRESUPPOSES: { color: '#1971c2', line: 'solid', arrow: 'vee' },
  GROUNDS: { color: '#5c940d', line: 'solid', arrow: 'square' },
  SUBLATES: { color: '#7048e8', line: 'solid', arrow: 'triangle-backcurve' },
  NEGATES: { color: '#e03131', line: 'dashed', arrow: 'triangle' },
  CONTRADICTS: { color: '#c2255c', line: 'dashed', arrow: 'tee' },
  OPPOSES: { color: '#f08c00', line: 'dotted', arrow: 'tee' },
  ANALOGOUS_TO: { color: '#868e96', line: 'dashed', arrow: 'diamond' },
  PART_OF: { color: '#0c8599', line: 'solid', arrow: 'circle' },
  EXEMPLIFIES: { color: '#e8590c', line: 'dotted', arrow: 'chevron' },
};

function style() {
  const rules = [
    {
      selector: 'node',
      style: {
        'background-color': '#4263eb', 'border-width': 2, 'border-color': '#fff',
        width: 'mapData(weight, 0, 1, 22, 86)', height: 'mapData(weight, 0, 1, 22, 86)',
        label: 'data(label)', 'text-valign': 'bottom', 'text-margin-y': 5, 'font-size': 13, color: '#1f2430',
        'text-wrap': 'wrap', 'text-max-width': 140, 'text-background-color': '#fff', 'text-background-opacity': 0.8,
        'text-background-padding': 2,
      },
    },
    { selector: 'node:selected', style: { 'border-color': '#f59f00', 'border-width': 4 } },
    {
      selector: 'edge',
      style: {
        'curve-style': 'bezier', width: 'mapData(weight, 0, 1, 1.5, 6)', 'line-color': '#868e96',
        'target-arrow-color': '#868e96', 'target-arrow-shape': 'triangle', 'arrow-scale': 1.2,
        label: 'data(type)', 'font-size': 9, color: '#5c6370', 'text-rotation': 'autorotate',
        'text-background-color': '#fff', 'text-background-opacity': 0.85, 'text-background-padding': 1,
      },
    },
    { selector: 'edge:selected', style: { 'overlay-color': '#f59f00', 'overlay-opacity': 0.25, 'overlay-padding': 4 } },
    // a path found by graph-service: its categories ringed, its relations in this concept haloed
    { selector: 'node.on-path', style: { 'border-color': '#e8590c', 'border-width': 6 } },
    { selector: 'edge.on-path', style: { 'overlay-color': '#e8590c', 'overlay-opacity': 0.3, 'overlay-padding': 5 } },
  ];
  for (const [type, s] of Object.entries(RELATION_STYLES)) {
    rules.push({
      selector: `edge[type = "${type}"]`,
      style: { 'line-color': s.color, 'target-arrow-color': s.color, 'line-style': s.line, 'target-arrow-shape': s.arrow },
    });
  }
  return rules;
}

/**
 * Elements for a concept. Categories that share one position (never placed: every new category is at 0,0) are
 * spread on a small circle around it for display only; `spread` tells how many were.
 */
export function elements(concept) {
  const byPosition = new Map();
  for (const c of concept.categories || []) {
    const key = `${c.x},${c.y}`;
    if (!byPosition.has(key)) byPosition.set(key, []);
    byPosition.get(key).push(c);
  }
  let spread = 0;
  const nodes = [];
  for (const group of byPosition.values()) {
    group.forEach((c, i) => {
      let { x, y } = c;
      if (group.length > 1) {
        spread++;
        const angle = (2 * Math.PI * i) / group.length;
        const radius = 60 + 12 * group.length;
        x += Math.round(radius * Math.cos(angle));
        y += Math.round(radius * Math.sin(angle));
      }
      nodes.push({
        group: 'nodes',
        data: { id: c.id, label: c.name, weight: c.weight ?? 0.5, description: c.description || '' },
        position: { x, y },
      });
    });
  }
  const edges = (concept.relations || []).map((r) => ({
    group: 'edges',
    data: {
      id: r.id, source: r.fromCategoryId, target: r.toCategoryId, type: r.type, weight: r.weight ?? 0.5,
      rationale: r.rationale || '', from: r.from, to: r.to,
    },
  }));
  return { elements: [...nodes, ...edges], spread };
}

/**
 * A canvas in `container`. Callbacks: onMoved(categoryId, {x, y}) after a drag ends, onSelect({kind, id} | null),
 * tooltip element for hover texts.
 */
export function createCanvas(container, tooltip, { onMoved, onSelect }) {
  const cy = cytoscape({
    container, style: style(), layout: { name: 'preset' }, minZoom: 0.2, maxZoom: 3,
    boxSelectionEnabled: false, selectionType: 'single',
  });

  cy.on('dragfree', 'node', (e) => {
    const p = e.target.position();
    onMoved(e.target.id(), { x: Math.round(p.x), y: Math.round(p.y) });
  });
  cy.on('select', 'node, edge', (e) => onSelect({ kind: e.target.isNode() ? 'category' : 'relation', id: e.target.id() }));
  cy.on('unselect', () => { if (cy.$(':selected').empty()) onSelect(null); });

  const show = (e, text) => {
    if (!text) return;
    tooltip.textContent = text;
    tooltip.hidden = false;
    const box = container.getBoundingClientRect();
    const parent = tooltip.offsetParent ? tooltip.offsetParent.getBoundingClientRect() : { left: 0, top: 0 };
    tooltip.style.left = `${box.left - parent.left + e.renderedPosition.x + 12}px`;
    tooltip.style.top = `${box.top - parent.top + e.renderedPosition.y + 12}px`;
  };
  cy.on('mouseover', 'edge', (e) => {
    const d = e.target.data();
    show(e, `${d.from} ${d.type} ${d.to} (weight ${d.weight})` + (d.rationale ? `: ${d.rationale}` : ': no rationale given'));
  });
  cy.on('mouseover', 'node', (e) => {
    const d = e.target.data();
    show(e, `${d.label} (weight ${d.weight})${d.description ? ': ' + d.description : ''}`);
  });
  cy.on('mouseout', 'node, edge', () => { tooltip.hidden = true; });
  cy.on('viewport drag', () => { tooltip.hidden = true; });

  return {
    cy,
    /** Draws the concept; keeps the viewport when it is the same concept again. */
    draw(concept, sameConcept) {
      const selected = cy.$(':selected').map((el) => el.id());
      const { elements: els, spread } = elements(concept);
      cy.batch(() => {
        cy.elements().remove();
        cy.add(els);
      });
      for (const id of selected) cy.getElementById(id).select();
      if (!sameConcept) this.fit();
      return spread;
    },
    fit() {
      cy.resize(); // the container may have changed size with the panels around it
      if (cy.nodes().nonempty()) cy.fit(cy.nodes(), 60);
      if (cy.zoom() > 1.5) cy.zoom(1.5);
      if (cy.nodes().length === 1) cy.center(cy.nodes());
    },
    select(id) {
      cy.$(':selected').unselect();
      const el = cy.getElementById(id);
      if (el.nonempty()) el.select();
    },
    /** Where a new category goes: the middle of what is on screen. */
    centre() {
      const ext = cy.extent();
      return { x: Math.round((ext.x1 + ext.x2) / 2), y: Math.round((ext.y1 + ext.y2) / 2) };
    },
    /** Marks a path: the categories with these ids and the edges `isStep(source, target, type)` accepts. */
    highlight(categoryIds, isStep) {
      cy.elements().removeClass('on-path');
      for (const id of categoryIds) cy.getElementById(id).addClass('on-path');
      cy.edges().filter((e) => isStep(e.data('source'), e.data('target'), e.data('type'))).addClass('on-path');
    },
    clear() {
      cy.elements().remove();
    },
    moveTo(id, position) {
      const el = cy.getElementById(id);
      if (el.nonempty()) el.position(position);
    },
  };
}
