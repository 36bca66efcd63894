// Schema registry and strict validation of Kubernetes objects, offline.
//
// Two sources of schemas:
//  1. The kubernetes-models npm packages (Kubernetes built-ins and the Argo CD, Argo Rollouts, KEDA,
//     prometheus-operator, External Secrets and Sealed Secrets CRDs). They ship precompiled Ajv
//     validators that check required fields, types and enums, but accept unknown fields. We make them
//     strict by handing the validator a Proxy that records which property names it looks up on every
//     object: a compiled validator reads each property its schema declares (present or not), and
//     enumerates all keys when the schema allows arbitrary keys (maps such as labels). After
//     validation, a key that exists on an object the validator inspected but was never read is a
//     field the schema does not declare -> "unknown field". Objects the validator never inspects
//     (free-form fields such as Helm valuesObject or x-kubernetes-preserve-unknown-fields) stay open,
//     exactly as the API server treats them.
//  2. Vendored JSON schemas for Strimzi (schemas/strimzi.json, generated from io.strimzi:api) and
//     CloudNativePG (schemas/cnpg.json, generated from the cdk8s bindings of the CNPG CRDs), which
//     are closed (additionalProperties:false) and checked with Ajv.
// A kind found in neither source is an error: nothing is waved through unvalidated.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Ajv from 'ajv';

const here = path.dirname(fileURLToPath(import.meta.url));
const checkDir = path.resolve(here, '..');
const nm = path.join(checkDir, 'node_modules');

const MODEL_PACKAGES = [
  'kubernetes-models',
  '@kubernetes-models/argo-cd',
  '@kubernetes-models/argo-rollouts',
  '@kubernetes-models/keda',
  '@kubernetes-models/prometheus-operator',
  '@kubernetes-models/external-secrets',
  '@kubernetes-models/sealed-secrets',
];

const VENDORED = ['strimzi.json', 'cnpg.json'].map((f) => {
  const file = path.join(checkDir, 'schemas', f);
  return { file, schema: JSON.parse(fs.readFileSync(file, 'utf8')) };
});

const ajv = new Ajv({ allErrors: true, strict: false });
const cache = new Map();

/** Returns { source, validate(obj) -> [{path, message}] } or null when no schema is known. */
export async function validatorFor(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (cache.has(key)) return cache.get(key);
  let v = await modelValidator(apiVersion, kind);
  if (!v) v = vendoredValidator(apiVersion, kind);
  cache.set(key, v);
  return v;
}

async function modelValidator(apiVersion, kind) {
  if (!/^[A-Za-z0-9]+$/.test(kind)) return null;
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  for (const pkg of MODEL_PACKAGES) {
    const file = path.join(nm, pkg, group, version, `${kind}.js`);
    if (!fs.existsSync(file)) continue;
    const mod = await import(pathToFileURL(file).href);
    const cls = mod[kind];
    // sub-type files (e.g. keda's "Rollout" scale target) are not kinds: require the type meta
    if (!cls || cls.kind !== kind || cls.apiVersion !== apiVersion) continue;
    const proto = cls.prototype;
    return {
      source: `${pkg}@${pkgVersion(pkg)}`,
      validate(obj) {
        const seen = new Map();
        const errors = [];
        try {
          proto.validate.call(track(obj, '', seen));
        } catch (e) {
          for (const err of e.errors ?? [{ instancePath: '', message: e.message }]) {
            errors.push({ path: err.instancePath || '/', message: describe(err) });
          }
        }
        for (const p of unknownFields(obj, seen)) errors.push({ path: p, message: 'unknown field (not in the schema)' });
        return errors;
      },
    };
  }
  return null;
}

function vendoredValidator(apiVersion, kind) {
  for (const { file, schema } of VENDORED) {
    const root = schema.kinds?.[`${apiVersion}/${kind}`];
    if (!root) continue;
    const id = `${path.basename(file)}#${apiVersion}/${kind}`;
    const fn = ajv.compile({ $id: id, ...root, $defs: schema.$defs });
    return {
      source: `deploy/check/schemas/${path.basename(file)}`,
      validate(obj) {
        if (fn(obj)) return [];
        return fn.errors.map((err) => (err.keyword === 'additionalProperties'
          ? { path: `${err.instancePath}/${err.params.additionalProperty}`, message: 'unknown field (not in the schema)' }
          : { path: err.instancePath || '/', message: describe(err) }));
      },
    };
  }
  return null;
}

function describe(err) {
  const p = err.params ?? {};
  switch (err.keyword) {
    case 'required': return `missing required field "${p.missingProperty}"`;
    case 'type': return `must be ${p.type}`;
    case 'enum': return `must be one of ${JSON.stringify(p.allowedValues)}`;
    case 'const': return `must be ${JSON.stringify(p.allowedValue)}`;
    default: return err.message ?? err.keyword;
  }
}

const ALL = Symbol('all keys read');
function track(obj, p, seen) {
  if (obj === null || typeof obj !== 'object') return obj;
  let reads = seen.get(p);
  if (!reads) { reads = new Set(); seen.set(p, reads); }
  return new Proxy(obj, {
    get(t, k) {
      if (typeof k !== 'string') return t[k];
      reads.add(k);
      const v = t[k];
      return v !== null && typeof v === 'object' && Object.prototype.hasOwnProperty.call(t, k)
        ? track(v, `${p}/${k}`, seen) : v;
    },
    has(t, k) { if (typeof k === 'string') reads.add(k); return k in t; },
    ownKeys(t) { reads.add(ALL); return Reflect.ownKeys(t); },
  });
}

// A few properties are declared by a model's TypeScript interface but compiled without any check
// (their JSON schema came out empty: it happens to properties literally named "description",
// which collide with the schema keyword, and to JSONSchemaProps' x-kubernetes-* fields). The
// validator never reads them, so the read-tracking would call them unknown. They are computed
// here from the packages themselves (interface properties the compiled validator never mentions)
// and accepted by name; the summary lists them.
let lenientNames;
export function lenient() {
  if (lenientNames) return lenientNames;
  lenientNames = new Set();
  const walk = function* (d) {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) { if (e.name !== '_schemas' && e.name !== 'node_modules') yield* walk(p); } else if (p.endsWith('.js')) yield p;
    }
  };
  for (const pkg of MODEL_PACKAGES) {
    for (const f of walk(path.join(nm, pkg))) {
      const js = fs.readFileSync(f, 'utf8');
      const m = js.match(/"([^"]*_schemas\/\w+\.js)"/);
      const dts = f.replace(/\.js$/, '.d.ts');
      if (!m || !fs.existsSync(dts)) continue;
      const iface = fs.readFileSync(dts, 'utf8').match(/export interface I\w+ \{([\s\S]*?)\n\}/);
      if (!iface) continue;
      const compiled = fs.readFileSync(path.join(path.dirname(f), m[1]), 'utf8');
      for (const [, prop] of iface[1].matchAll(/^\s{4}"([^"]+)"\??: /gm)) {
        if (!compiled.includes(`data.${prop}`) && !compiled.includes(`data["${prop}"]`) && !compiled.includes(`"${prop}"`)) lenientNames.add(prop);
      }
    }
  }
  return lenientNames;
}

function unknownFields(obj, seen) {
  const out = [];
  const ok = lenient();
  (function walk(o, p) {
    if (o === null || typeof o !== 'object') return;
    const reads = seen.get(p);
    if (!reads) return; // never inspected: free-form
    if (!Array.isArray(o) && reads.size > 0 && !reads.has(ALL)) {
      for (const k of Object.keys(o)) if (!reads.has(k) && !ok.has(k)) out.push(`${p}/${k}`);
    }
    for (const k of Object.keys(o)) walk(o[k], `${p}/${k}`);
  })(obj, '');
  return out;
}

const versions = new Map();
function pkgVersion(pkg) {
  if (!versions.has(pkg)) versions.set(pkg, JSON.parse(fs.readFileSync(path.join(nm, pkg, 'package.json'), 'utf8')).version);
  return versions.get(pkg);
}

export function vendoredProvenance() {
  return VENDORED.map(({ file, schema }) => `${path.basename(file)}: ${schema.$comment}`);
}
