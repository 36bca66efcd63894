// The deploy check: renders every kustomization, validates every object strictly against its
// kind's schema, parses every PromQL expression, and cross-checks deploy/ against the code
// (service modules, Kafka topics, required configuration, image names, secrets).
//
//   node src/check.mjs [--root DIR] [--quiet]     check a repository (default: this one)
//   node src/check.mjs --self-test                 prove the check catches what it claims to
// The API descriptions (event catalogue vs Topics.java, /ws/jobs AsyncAPI, the public OpenAPI through
// Redocly's lint) are checked in apis.mjs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import YAML from 'yaml';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { validatorFor, vendoredProvenance, lenient } from './schemas.mjs';
import { checkApiDocs, EVENTS, TOPICS, JOBS_SOCKET, PUBLIC_API } from './apis.mjs';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(here, '..', '..', '..');

// ------------------------------------------------------------------------------------------------
// Rendering
// ------------------------------------------------------------------------------------------------

/** Render targets: every overlay, the cluster monitoring tree, the Argo CD tree. */
function renderTargets(root) {
  const t = [];
  const ov = path.join(root, 'deploy/k8s/overlays');
  for (const e of fs.existsSync(ov) ? fs.readdirSync(ov).sort() : []) {
    if (fs.existsSync(path.join(ov, e, 'kustomization.yaml'))) t.push(`deploy/k8s/overlays/${e}`);
  }
  for (const d of ['deploy/k8s/monitoring', 'deploy/argocd']) {
    if (fs.existsSync(path.join(root, d, 'kustomization.yaml'))) t.push(d);
  }
  return t;
}

async function render(root, target) {
  try {
    const { stdout } = await run('kubectl', ['kustomize', path.join(root, target)], { maxBuffer: 64 << 20 });
    const docs = YAML.parseAllDocuments(stdout).map((d) => d.toJS()).filter(Boolean);
    return { target, objects: docs };
  } catch (e) {
    return { target, error: (e.stderr || e.message).trim().split('\n').slice(0, 5).join(' | ') };
  }
}

// ------------------------------------------------------------------------------------------------
// Schema validation + PromQL
// ------------------------------------------------------------------------------------------------

const id = (o) => `${o.kind}/${o.metadata?.name ?? '?'}`;

async function validateObjects(r, fail, stats) {
  for (const o of r.objects) {
    if (!o.apiVersion || !o.kind) { fail('schema', `${r.target}: object without apiVersion/kind`); continue; }
    const v = await validatorFor(o.apiVersion, o.kind);
    if (!v) { fail('schema', `${r.target}: ${o.apiVersion} ${o.kind} "${o.metadata?.name}": no schema known for this kind`); continue; }
    stats.kinds.set(`${o.apiVersion} ${o.kind}`, v.source);
    stats.objects++;
    for (const e of v.validate(o)) fail('schema', `${r.target}: ${id(o)}: ${e.path}: ${e.message}`);
  }
}

function promqlErrors(expr) {
  // placeholders of Argo Rollouts ({{args.x}}) and Grafana ($var, $__rate_interval) are not PromQL
  const q = expr.replace(/\{\{\s*args\.[\w-]+\s*\}\}/g, 'x').replace(/\$__(rate_)?interval/g, '5m').replace(/\$\{?\w+\}?/g, 'x');
  const tree = promqlParser.parse(q);
  const errs = [];
  tree.iterate({ enter: (n) => { if (n.type.isError) errs.push(`syntax error at ${n.from}: "${q.slice(Math.max(0, n.from - 15), n.to + 15).replace(/\s+/g, ' ')}"`); } });
  return errs;
}

function checkPromql(r, fail, stats) {
  for (const o of r.objects) {
    const exprs = [];
    if (o.kind === 'PrometheusRule') {
      for (const g of o.spec?.groups ?? []) for (const rule of g.rules ?? []) exprs.push([`${g.name}/${rule.alert ?? rule.record}`, String(rule.expr)]);
    }
    if (o.kind === 'AnalysisTemplate' || o.kind === 'ClusterAnalysisTemplate') {
      for (const m of o.spec?.metrics ?? []) if (m.provider?.prometheus?.query) exprs.push([m.name, m.provider.prometheus.query]);
    }
    if (o.kind === 'ConfigMap' && o.metadata?.labels?.grafana_dashboard) {
      for (const [file, text] of Object.entries(o.data ?? {})) {
        let dash;
        try { dash = JSON.parse(text); } catch (e) { fail('promql', `${r.target}: ${id(o)}: ${file} is not JSON: ${e.message}`); continue; }
        if (!dash.uid || !dash.title || !Array.isArray(dash.panels) || dash.panels.length === 0) fail('promql', `${r.target}: ${id(o)}: ${file}: a dashboard needs uid, title and panels`);
        for (const p of dash.panels ?? []) for (const t of p.targets ?? []) exprs.push([`${file}: ${p.title}`, t.expr ?? '']);
      }
    }
    for (const [where, e] of exprs) {
      stats.promql++;
      for (const err of promqlErrors(e)) fail('promql', `${r.target}: ${id(o)}: ${where}: ${err}`);
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Drift cross-checks
// ------------------------------------------------------------------------------------------------

/** Service modules: top-level directories whose pom.xml uses the quarkus-maven-plugin. */
function serviceModules(root) {
  return fs.readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
    .filter((d) => {
      const pom = path.join(root, d.name, 'pom.xml');
      return fs.existsSync(pom) && /<artifactId>\s*quarkus-maven-plugin\s*<\/artifactId>/.test(fs.readFileSync(pom, 'utf8'));
    })
    .map((d) => d.name).sort();
}

function serviceBases(root) {
  const dir = path.join(root, 'deploy/k8s/base/services');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((d) => fs.existsSync(path.join(dir, d, 'kustomization.yaml'))).sort() : [];
}

/** Kafka topics: deploy/topics.txt (until the contracts module holds them as constants). */
export function topicList(root) {
  const f = path.join(root, 'deploy/topics.txt');
  if (!fs.existsSync(f)) return [];
  return fs.readFileSync(f, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim()).filter(Boolean).map((l) => {
    const [name, partitions, retention, cleanup] = l.split(/\s+/);
    return { name, partitions: Number(partitions), retention: String(retention), cleanup };
  });
}

const quarkusEnvName = (key) => key.replace(/[^A-Za-z0-9]/g, '_').toUpperCase();

/**
 * Env variables a module needs in prod, from its application.properties:
 *  - a %prod. property whose value is ${ENV} without a default names a required variable;
 *  - a property whose only value points at the local stack (127.0.0.1, localhost, .local/) or is a
 *    credential (*.username, *.password) must be overridden in a deployment: its Quarkus env name.
 */
export function requiredEnv(root, module) {
  const f = path.join(root, module, 'src/main/resources/application.properties');
  const req = new Map();
  if (!fs.existsSync(f)) return req;
  const props = new Map();
  for (const line of fs.readFileSync(f, 'utf8').split('\n')) {
    const m = line.match(/^\s*([^#!\s=:][^=:]*?)\s*[=:]\s*(.*)$/);
    if (m) props.set(m[1], m[2].trim());
  }
  for (const [k, v] of props) {
    if (k.startsWith('%prod.')) {
      const env = v.match(/^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/);
      if (env) req.set(env[1], `${k}=\${${env[1]}} (no default)`);
      continue;
    }
    if (k.startsWith('%')) continue;
    if (props.has(`%prod.${k}`)) continue; // prod has its own value
    if (/(^|[/@:])(127\.0\.0\.1|localhost)([:/]|$)|(^|\/)\.local\//.test(v)) req.set(quarkusEnvName(k), `${k} points at the local stack`);
    else if (/\.(username|password)$/.test(k)) req.set(quarkusEnvName(k), `${k} is a credential`);
  }
  return req;
}

/** Secrets that exist at run time without being in git: ExternalSecret/SealedSecret targets,
 *  CNPG application secrets, Strimzi-managed secrets. */
function producedSecrets(objects) {
  const s = new Map();
  for (const o of objects) {
    if (o.kind === 'ExternalSecret') {
      const keys = new Set([...(o.spec?.data ?? []).map((d) => d.secretKey), ...Object.keys(o.spec?.target?.template?.data ?? {})]);
      if ((o.spec?.dataFrom ?? []).length) keys.add('*');
      s.set(o.spec?.target?.name ?? o.metadata.name, keys);
    }
    if (o.kind === 'SealedSecret') s.set(o.spec?.template?.metadata?.name ?? o.metadata.name, new Set(Object.keys(o.spec?.encryptedData ?? {})));
    if (o.kind === 'Cluster' && o.apiVersion?.startsWith('postgresql.cnpg.io/')) {
      s.set(`${o.metadata.name}-app`, new Set(['username', 'password', 'host', 'port', 'dbname', 'uri', 'jdbc-uri', 'pgpass', 'user']));
    }
  }
  return s;
}

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Rollout', 'Job', 'CronJob']);
const podSpec = (o) => (o.kind === 'CronJob' ? o.spec?.jobTemplate?.spec?.template?.spec : o.spec?.template?.spec);

function checkEnvironment(r, root, modules, fail) {
  const objs = r.objects;
  const byKind = (k) => objs.filter((o) => o.kind === k);
  const configMaps = new Map(byKind('ConfigMap').map((o) => [o.metadata.name, o]));
  const secrets = producedSecrets(objs);

  // no plaintext secret in git
  for (const o of byKind('Secret')) {
    if (o.data || o.stringData) fail('secrets', `${r.target}: Secret/${o.metadata.name} carries values in git; use an ExternalSecret or SealedSecret`);
  }
  // every secret a workload reads is produced by something in the render
  for (const o of objs.filter((x) => WORKLOADS.has(x.kind))) {
    const ps = podSpec(o) ?? {};
    const refs = [];
    for (const c of [...(ps.containers ?? []), ...(ps.initContainers ?? [])]) {
      for (const e of c.env ?? []) if (e.valueFrom?.secretKeyRef) refs.push([e.valueFrom.secretKeyRef.name, e.valueFrom.secretKeyRef.key]);
      for (const e of c.envFrom ?? []) if (e.secretRef) refs.push([e.secretRef.name, null]);
    }
    for (const v of ps.volumes ?? []) if (v.secret) for (const it of v.secret.items ?? [{ key: null }]) refs.push([v.secret.secretName, it.key]);
    for (const [name, key] of refs) {
      const keys = secrets.get(name);
      if (!keys) fail('secrets', `${r.target}: ${id(o)} reads Secret "${name}", which nothing in the render produces (ExternalSecret, SealedSecret, CNPG)`);
      else if (key && !keys.has(key) && !keys.has('*')) fail('secrets', `${r.target}: ${id(o)} reads key "${key}" of Secret "${name}", which its producer does not define`);
    }
  }

  // every service module is deployed here, with its image, probes and required configuration
  for (const m of modules) {
    const w = objs.find((o) => WORKLOADS.has(o.kind) && o.metadata?.name === m);
    if (!w) { fail('drift', `${r.target}: service module "${m}" has no workload named "${m}" (add ../../base/services/${m} to the overlay)`); continue; }
    const ps = podSpec(w) ?? {};
    const c = (ps.containers ?? []).find((x) => x.name === m);
    if (!c) { fail('drift', `${r.target}: ${id(w)}: no container named "${m}"`); continue; }
    const img = String(c.image ?? '');
    const repo = img.replace(/@.*$/, '').replace(/:[^/:]*$/, '');
    const tag = img.includes('@') ? 'digest' : (img.slice(repo.length + 1) || '');
    if (repo.split('/').pop() !== m) fail('drift', `${r.target}: ${id(w)}: image "${img}" is not named after the module "${m}"`);
    if (!tag || tag === 'latest') fail('drift', `${r.target}: ${id(w)}: image "${img}" has no pinned tag (set it in the overlay's images:)`);
    const live = c.livenessProbe?.httpGet?.path, ready = c.readinessProbe?.httpGet?.path;
    if (live !== '/q/health/live') fail('drift', `${r.target}: ${id(w)}: liveness probe must be /q/health/live (is ${live})`);
    if (ready !== '/q/health/ready') fail('drift', `${r.target}: ${id(w)}: readiness probe must be /q/health/ready (is ${ready})`);
    const provided = new Set((c.env ?? []).map((e) => e.name));
    for (const ef of c.envFrom ?? []) {
      if (ef.configMapRef) {
        const cm = configMaps.get(ef.configMapRef.name);
        if (!cm) fail('drift', `${r.target}: ${id(w)}: envFrom ConfigMap "${ef.configMapRef.name}" is not in the render`);
        else for (const k of Object.keys(cm.data ?? {})) provided.add(k);
      }
      if (ef.secretRef) for (const k of secrets.get(ef.secretRef.name) ?? []) provided.add(k);
    }
    for (const [env, why] of requiredEnv(root, m)) {
      if (!provided.has(env)) fail('config', `${r.target}: ${m} needs ${env} (${why}) but its container does not get it`);
    }
  }
  for (const o of objs.filter((x) => WORKLOADS.has(x.kind) && x.metadata?.labels?.['app.kubernetes.io/component'] === 'service')) {
    if (!modules.includes(o.metadata.name)) fail('drift', `${r.target}: ${id(o)} is a service without a module "${o.metadata.name}" in the repository`);
  }

  // every topic of the list has its KafkaTopic, with the same partitions/retention/cleanup, and
  // no KafkaTopic exists that the list does not know
  const topics = topicList(root);
  const kt = new Map(byKind('KafkaTopic').map((o) => [o.spec?.topicName ?? o.metadata.name, o]));
  if (byKind('Kafka').length) {
    for (const t of topics) {
      const o = kt.get(t.name);
      if (!o) { fail('topics', `${r.target}: topic "${t.name}" (deploy/topics.txt) has no KafkaTopic`); continue; }
      if (o.spec?.partitions !== t.partitions) fail('topics', `${r.target}: KafkaTopic ${t.name}: partitions ${o.spec?.partitions}, the list says ${t.partitions}`);
      if (String(o.spec?.config?.['retention.ms']) !== t.retention) fail('topics', `${r.target}: KafkaTopic ${t.name}: retention.ms ${o.spec?.config?.['retention.ms']}, the list says ${t.retention}`);
      if ((o.spec?.config?.['cleanup.policy'] ?? 'delete') !== t.cleanup) fail('topics', `${r.target}: KafkaTopic ${t.name}: cleanup.policy ${o.spec?.config?.['cleanup.policy']}, the list says ${t.cleanup}`);
      const cluster = o.metadata?.labels?.['strimzi.io/cluster'];
      if (!byKind('Kafka').some((k) => k.metadata.name === cluster)) fail('topics', `${r.target}: KafkaTopic ${t.name}: strimzi.io/cluster "${cluster}" is not a Kafka of this render`);
    }
    for (const name of kt.keys()) if (!topics.some((t) => t.name === name)) fail('topics', `${r.target}: KafkaTopic ${name} is not in deploy/topics.txt`);
  }
}

function checkArgo(r, root, fail) {
  for (const o of r.objects) {
    const specs = o.kind === 'Application' ? [o.spec] : o.kind === 'ApplicationSet' ? [o.spec?.template?.spec] : [];
    for (const s of specs) {
      for (const src of [s?.source, ...(s?.sources ?? [])].filter(Boolean)) {
        if (src.path && !src.path.includes('{{') && !fs.existsSync(path.join(root, src.path, 'kustomization.yaml'))) {
          fail('argocd', `${r.target}: ${id(o)}: source path "${src.path}" is not a kustomization in this repository`);
        }
        for (const vf of src.helm?.valueFiles ?? []) {
          const files = vf.includes('{{.env}}') ? ['dev', 'staging', 'prod'].map((e) => vf.replace('{{.env}}', e)) : [vf];
          for (const f of files) {
            const p = f.replace(/^\$values\//, '');
            if (!fs.existsSync(path.join(root, p))) fail('argocd', `${r.target}: ${id(o)}: values file "${p}" does not exist`);
            else { try { YAML.parse(fs.readFileSync(path.join(root, p), 'utf8')); } catch (e) { fail('argocd', `${p}: not YAML: ${e.message}`); } }
          }
        }
      }
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Main check
// ------------------------------------------------------------------------------------------------

export async function check(root, { quiet = false } = {}) {
  const failures = [];
  const fail = (area, msg) => failures.push({ area, msg });
  const stats = { objects: 0, kinds: new Map(), promql: 0, targets: [], channels: 0, openapi: null };
  const targets = renderTargets(root);
  if (!targets.length) fail('render', 'nothing to render under deploy/');
  const renders = await Promise.all(targets.map((t) => render(root, t)));
  const modules = serviceModules(root);
  const bases = serviceBases(root);
  for (const m of modules) if (!bases.includes(m)) fail('drift', `service module "${m}" has no base deploy/k8s/base/services/${m}`);
  for (const b of bases) if (!modules.includes(b)) fail('drift', `base deploy/k8s/base/services/${b} has no service module "${b}" (a top-level directory whose pom.xml uses quarkus-maven-plugin)`);
  for (const r of renders) {
    if (r.error) { fail('render', `${r.target}: kubectl kustomize failed: ${r.error}`); continue; }
    stats.targets.push(`${r.target} (${r.objects.length})`);
    await validateObjects(r, fail, stats);
    checkPromql(r, fail, stats);
    if (r.target.startsWith('deploy/k8s/overlays/')) checkEnvironment(r, root, modules, fail);
    checkArgo(r, root, fail);
  }
  // images and the compose file follow the modules too
  for (const m of modules) {
    for (const f of ['src/main/docker/Dockerfile.jvm', 'src/main/docker/Dockerfile.native', '.dockerignore']) {
      if (!fs.existsSync(path.join(root, m, f))) fail('drift', `service module "${m}" has no ${f}`);
    }
  }
  const composeFile = path.join(root, 'deploy/compose/docker-compose.yml');
  if (fs.existsSync(composeFile)) {
    const compose = YAML.parse(fs.readFileSync(composeFile, 'utf8'));
    for (const m of modules) {
      const svc = compose.services?.[m];
      if (!svc) { fail('compose', `deploy/compose/docker-compose.yml has no service "${m}"`); continue; }
      if (svc.build?.context !== `../../${m}` || svc.build?.dockerfile !== 'src/main/docker/Dockerfile.jvm') fail('compose', `compose service "${m}" must build ../../${m} with src/main/docker/Dockerfile.jvm`);
      const env = new Set(Object.keys(svc.environment ?? {}));
      for (const [e, why] of requiredEnv(root, m)) if (!env.has(e)) fail('compose', `compose service "${m}" lacks ${e} (${why})`);
    }
    for (const name of Object.keys(compose.services ?? {})) {
      if (compose.services[name].build && !modules.includes(name)) fail('compose', `compose service "${name}" builds a module that does not exist`);
    }
  }
  // the CI pipeline parses and calls only scripts that exist
  const wf = path.join(root, '.github/workflows/ci.yml');
  if (fs.existsSync(wf)) {
    try {
      const text = fs.readFileSync(wf, 'utf8');
      const ci = YAML.parse(text);
      if (!ci?.jobs || !Object.keys(ci.jobs).length) fail('ci', '.github/workflows/ci.yml has no jobs');
      for (const [, script] of text.matchAll(/((?:deploy|\.)\/[\w./-]+\.sh)/g)) {
        if (!fs.existsSync(path.join(root, script))) fail('ci', `.github/workflows/ci.yml calls ${script}, which does not exist`);
      }
    } catch (e) { fail('ci', `.github/workflows/ci.yml: ${e.message}`); }
  }
  // the API descriptions: event catalogue = Topics.java, /ws/jobs, the public OpenAPI (Redocly)
  await checkApiDocs(root, fail, stats);
  // fixtures: patterns documented for modules that do not exist yet (e.g. KEDA for claude-worker)
  const fx = path.join(root, 'deploy/check/fixtures');
  for (const f of fs.existsSync(fx) ? fs.readdirSync(fx).filter((x) => x.endsWith('.yaml')).sort() : []) {
    const objects = YAML.parseAllDocuments(fs.readFileSync(path.join(fx, f), 'utf8')).map((d) => d.toJS()).filter(Boolean);
    const r = { target: `deploy/check/fixtures/${f}`, objects };
    stats.targets.push(`${r.target} (${objects.length})`);
    await validateObjects(r, fail, stats);
    checkPromql(r, fail, stats);
  }
  return { failures, stats, modules, topics: topicList(root) };
}

function report({ failures, stats, modules, topics }, ms) {
  console.log(`deploy check: rendered ${stats.targets.join(', ')}`);
  console.log(`  ${stats.objects} objects of ${stats.kinds.size} kinds validated strictly (unknown fields fail):`);
  const bySource = new Map();
  for (const [k, s] of stats.kinds) bySource.set(s, [...(bySource.get(s) ?? []), k.split(' ')[1]]);
  for (const [s, ks] of bySource) console.log(`    ${s}: ${[...new Set(ks)].sort().join(', ')}`);
  console.log(`    (declared by the models but compiled without a check, accepted by name: ${[...lenient()].sort().join(', ')})`);
  console.log(`  ${stats.promql} PromQL expressions parsed; service modules: ${modules.join(', ') || '(none)'}; topics: ${topics.length}`);
  console.log(`  ${EVENTS}: ${stats.channels} channels (= Topics.java); ${JOBS_SOCKET.split('/').pop()} parsed (@asyncapi/parser)`);
  if (stats.openapi) console.log(`  ${PUBLIC_API}: ${stats.openapi.operations} operations, redocly lint (recommended): ${stats.openapi.errors} errors, ${stats.openapi.warnings} warnings`);
  for (const f of failures) console.log(`  FAIL [${f.area}] ${f.msg}`);
  console.log(`deploy check: ${failures.length ? `${failures.length} problem(s)` : 'OK'} (${(ms / 1000).toFixed(1)} s)`);
}

// ------------------------------------------------------------------------------------------------
// Self-test: a deliberately broken copy must fail, each breakage with its own finding
// ------------------------------------------------------------------------------------------------

function copyRepoSkeleton(root) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dialectica-deploy-selftest-'));
  fs.cpSync(path.join(root, 'deploy'), path.join(tmp, 'deploy'), {
    recursive: true,
    filter: (src) => !src.includes(`${path.sep}node_modules`) && !src.includes(`${path.sep}local${path.sep}`) && !src.endsWith(`${path.sep}local`),
  });
  for (const f of [EVENTS, TOPICS, JOBS_SOCKET, PUBLIC_API]) {
    if (!fs.existsSync(path.join(root, f))) continue;
    fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
    fs.copyFileSync(path.join(root, f), path.join(tmp, f));
  }
  for (const m of serviceModules(root)) {
    fs.mkdirSync(path.join(tmp, m, 'src/main/resources'), { recursive: true });
    fs.copyFileSync(path.join(root, m, 'pom.xml'), path.join(tmp, m, 'pom.xml'));
    const props = path.join(root, m, 'src/main/resources/application.properties');
    if (fs.existsSync(props)) fs.copyFileSync(props, path.join(tmp, m, 'src/main/resources/application.properties'));
  }
  return tmp;
}

/** Edit the YAML document of `kind`/`name` in a file, keeping the rest of the file. */
function editYaml(file, kind, name, fn) {
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  const doc = docs.find((d) => d.get('kind') === kind && (!name || d.getIn(['metadata', 'name']) === name));
  if (!doc) throw new Error(`self-test: ${kind}/${name} not found in ${file}`);
  fn(doc);
  fs.writeFileSync(file, docs.map((d) => d.toString()).join('---\n'));
}
const renameKey = (doc, p, from, to) => {
  const node = doc.getIn(p, true);
  const pair = node.items.find((i) => i.key.value === from);
  if (!pair) throw new Error(`self-test: no key ${from} at ${p.join('.')}`);
  pair.key.value = to;
};

async function selfTest(root) {
  const tmp = copyRepoSkeleton(root);
  const k = (...p) => path.join(tmp, 'deploy/k8s', ...p);
  const first = serviceModules(root)[0];
  // each breakage: what is done, and the finding that must appear
  const cases = [
    ['Rollout spec field misspelt (replicaz)', () => editYaml(k('base/services', first, 'rollout.yaml'), 'Rollout', first, (d) => renameKey(d, ['spec'], 'replicas', 'replicaz')),
      /Rollout\/\S+: \/spec\/replicaz: unknown field/],
    ['canary step misspelt (stepz)', () => editYaml(k('base/services', first, 'rollout.yaml'), 'Rollout', first, (d) => renameKey(d, ['spec', 'strategy', 'canary'], 'steps', 'stepz')),
      /\/spec\/strategy\/canary\/stepz: unknown field/],
    ['container field misspelt deep in a pod template (readinesProbe)', () => editYaml(k('base/stores/redis/redis.yaml'), 'StatefulSet', 'dialectica-redis', (d) => renameKey(d, ['spec', 'template', 'spec', 'containers', 0], 'readinessProbe', 'readinesProbe')),
      /StatefulSet\/dialectica-redis: \/spec\/template\/spec\/containers\/0\/readinesProbe: unknown field/],
    ['wrong type (HPA stabilizationWindowSeconds: "long")', () => editYaml(k('base/services', first, 'hpa.yaml'), 'HorizontalPodAutoscaler', first, (d) => d.setIn(['spec', 'behavior', 'scaleDown', 'stabilizationWindowSeconds'], 'long')),
      /HorizontalPodAutoscaler\/\S+: \/spec\/behavior\/scaleDown\/stabilizationWindowSeconds: must be integer/],
    ['KafkaTopic field misspelt (partitionz)', () => editYaml(k('base/stores/kafka/topics.yaml'), 'KafkaTopic', 'dialectica.generation.results', (d) => renameKey(d, ['spec'], 'partitions', 'partitionz')),
      /KafkaTopic\/dialectica.generation.results: \/spec\/partitionz: unknown field/],
    ['KafkaNodePool role not allowed (role: zookeeper)', () => editYaml(k('base/stores/kafka/kafka-node-pools.yaml'), 'KafkaNodePool', 'broker', (d) => d.setIn(['spec', 'roles', 0], 'zookeeper')),
      /KafkaNodePool\/broker: \/spec\/roles\/0: must be one of/],
    ['Kafka listener field misspelt (tlz)', () => editYaml(k('base/stores/kafka/kafka.yaml'), 'Kafka', 'dialectica', (d) => renameKey(d, ['spec', 'kafka', 'listeners', 0], 'tls', 'tlz')),
      /Kafka\/dialectica: \/spec\/kafka\/listeners\/0\/tlz: unknown field/],
    ['CNPG Cluster field misspelt (walStorag)', () => editYaml(k('base/stores/postgres/cluster.yaml'), 'Cluster', 'concepts-db', (d) => renameKey(d, ['spec'], 'walStorage', 'walStorag')),
      /Cluster\/concepts-db: \/spec\/walStorag: unknown field/],
    ['ScheduledBackup field misspelt (schedul)', () => editYaml(k('base/stores/postgres/scheduled-backup.yaml'), 'ScheduledBackup', 'concepts-db-daily', (d) => renameKey(d, ['spec'], 'schedule', 'schedul')),
      /ScheduledBackup\/concepts-db-daily: \/spec\/schedul: unknown field/],
    ['ExternalSecret field misspelt (secretStoreRefs)', () => editYaml(k('base/stores/redis/redis.yaml'), 'ExternalSecret', 'dialectica-redis', (d) => renameKey(d, ['spec'], 'secretStoreRef', 'secretStoreRefs')),
      /ExternalSecret\/dialectica-redis: \/spec\/secretStoreRefs: unknown field/],
    ['ServiceMonitor endpoint field misspelt (intervall)', () => editYaml(k('base/services', first, 'service-monitor.yaml'), 'ServiceMonitor', first, (d) => renameKey(d, ['spec', 'endpoints', 0], 'interval', 'intervall')),
      /ServiceMonitor\/\S+: \/spec\/endpoints\/0\/intervall: unknown field/],
    ['AnalysisTemplate metric field misspelt (successCondtion)', () => editYaml(k('base/platform/analysis-template.yaml'), 'AnalysisTemplate', 'dialectica-http-canary', (d) => renameKey(d, ['spec', 'metrics', 0], 'successCondition', 'successCondtion')),
      /AnalysisTemplate\/dialectica-http-canary: \/spec\/metrics\/0\/successCondtion: unknown field/],
    ['NetworkPolicy field misspelt (podSelectr)', () => editYaml(k('base/platform/network-policies.yaml'), 'NetworkPolicy', 'default-deny-all', (d) => renameKey(d, ['spec'], 'podSelector', 'podSelectr')),
      /NetworkPolicy\/default-deny-all: \/spec\/podSelectr: unknown field/],
    ['PrometheusRule with broken PromQL', () => editYaml(k('monitoring/prometheus-rules.yaml'), 'PrometheusRule', 'dialectica-alerts', (d) => d.setIn(['spec', 'groups', 0, 'rules', 1, 'expr'], 'dialectica:http_request_duration_seconds:p95 > > 0.5')),
      /PrometheusRule\/dialectica-alerts: dialectica.http\/DialecticaHighLatencyP95: syntax error/],
    ['Argo CD Application sync policy misspelt (selfHael)', () => editYaml(path.join(tmp, 'deploy/argocd/apps/envs.yaml'), 'Application', 'dialectica-staging', (d) => renameKey(d, ['spec', 'syncPolicy', 'automated'], 'selfHeal', 'selfHael')),
      /Application\/dialectica-staging: \/spec\/syncPolicy\/automated\/selfHael: unknown field/],
    ['AppProject field misspelt (sourceRepo)', () => editYaml(path.join(tmp, 'deploy/argocd/apps/projects.yaml'), 'AppProject', 'dialectica', (d) => renameKey(d, ['spec'], 'sourceRepos', 'sourceRepo')),
      /AppProject\/dialectica: \/spec\/sourceRepo: unknown field/],
    ['ApplicationSet template field misspelt (destinaton)', () => editYaml(path.join(tmp, 'deploy/argocd/apps/stores-charts.yaml'), 'ApplicationSet', 'dialectica-neo4j', (d) => renameKey(d, ['spec', 'template', 'spec'], 'destination', 'destinaton')),
      /ApplicationSet\/dialectica-neo4j: \/spec\/template\/spec\/destinaton: unknown field/],
    ['KEDA ScaledObject field misspelt (minReplicaCnt)', () => editYaml(path.join(tmp, 'deploy/k8s/base/services/claude-worker/scaled-object.yaml'), 'ScaledObject', 'claude-worker', (d) => renameKey(d, ['spec'], 'minReplicaCount', 'minReplicaCnt')),
      /ScaledObject\/claude-worker: \/spec\/minReplicaCnt: unknown field/],
    ['unknown kind', () => fs.appendFileSync(k('base/stores/redis/redis.yaml'), '---\napiVersion: example.com/v1\nkind: Mystery\nmetadata:\n  name: x\n'),
      /example.com\/v1 Mystery "x": no schema known/],
    ['plaintext Secret in git', () => fs.appendFileSync(k('base/stores/redis/redis.yaml'), '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: leaked\nstringData:\n  password: hunter2\n'),
      /Secret\/leaked carries values in git/],
    ['topic in the list without a KafkaTopic', () => fs.appendFileSync(path.join(tmp, 'deploy/topics.txt'), 'dialectica.selftest.orphan 3 1000 delete test\n'),
      /topic "dialectica.selftest.orphan" \(deploy\/topics.txt\) has no KafkaTopic/],
    ['KafkaTopic partitions differ from the list', () => editYaml(k('base/stores/kafka/topics.yaml'), 'KafkaTopic', 'dialectica.concept-changes', (d) => d.setIn(['spec', 'partitions'], 12)),
      /KafkaTopic dialectica.concept-changes: partitions 12, the list says 6/],
    ['service module without a base', () => { fs.mkdirSync(path.join(tmp, 'selftest-service')); fs.writeFileSync(path.join(tmp, 'selftest-service/pom.xml'), '<project><build><plugins><plugin><artifactId>quarkus-maven-plugin</artifactId></plugin></plugins></build></project>'); },
      /service module "selftest-service" has no base/],
    ['base without a service module', () => fs.cpSync(k('base/services', first), k('base/services/ghost-service'), { recursive: true }),
      /base deploy\/k8s\/base\/services\/ghost-service has no service module/],
    ['required prod config not provided', () => fs.appendFileSync(path.join(tmp, first, 'src/main/resources/application.properties'), '\n%prod.dialectica.selftest.token=${DIALECTICA_SELFTEST_TOKEN}\n'),
      new RegExp(`${first} needs DIALECTICA_SELFTEST_TOKEN`)],
    ['image not named after its module', () => editYaml(k('base/services', first, 'rollout.yaml'), 'Rollout', first, (d) => d.setIn(['spec', 'template', 'spec', 'containers', 0, 'image'], 'ghcr.io/dialectica/some-other-image')),
      /image "ghcr.io\/dialectica\/some-other-image.*" is not named after the module/],
    ['Secret read but produced by nothing', () => editYaml(k('base/services', first, 'rollout.yaml'), 'Rollout', first, (d) => d.setIn(['spec', 'template', 'spec', 'volumes', 1, 'secret', 'secretName'], 'nobody-makes-this')),
      /reads Secret "nobody-makes-this", which nothing in the render produces/],
    ['topic in Topics.java without a channel in the event catalogue', () => {
      const f = path.join(tmp, TOPICS);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/\n    private Topics\(\)/, '\n    public static final String SELF_TEST = "dialectica.selftest.missing";\n\n    private Topics()'));
    }, /topic "dialectica.selftest.missing" \(Topics.SELF_TEST\) has no channel/],
    ['channel address that is no topic', () => {
      const f = path.join(tmp, EVENTS);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('address: dialectica.generation.results', 'address: dialectica.generation.resultz'));
    }, /channel address "dialectica.generation.resultz" .* is not a topic/],
    ['AsyncAPI message that references a missing schema', () => {
      const f = path.join(tmp, JOBS_SOCKET);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace("$ref: '#/components/schemas/JobEvent'", "$ref: '#/components/schemas/NoSuchEvent'"));
    }, /jobs-socket.asyncapi.yaml: error/],
    ['public OpenAPI: response referencing a missing schema', () => {
      const f = path.join(tmp, PUBLIC_API);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('$ref: "#/components/schemas/ConceptView"', '$ref: "#/components/schemas/NoSuchView"'));
    }, /openapi.yaml: redocly error no-unresolved-refs/],
    ['public OpenAPI: operation without operationId', () => {
      const f = path.join(tmp, PUBLIC_API);
      fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace(/^ {6}operationId: listRelationTypes\n/m, ''));
    }, /openapi.yaml: redocly warn operation-operationId/],
    ['overlay that does not render', () => fs.appendFileSync(k('overlays/staging/kustomization.yaml'), '  - ../../base/does-not-exist\n'.replace(/^/, '')),
      /deploy\/k8s\/overlays\/staging: kubectl kustomize failed/],
  ];
  // the staging-overlay case appends to the patches list: make it a resource instead
  cases[cases.length - 1][1] = () => {
    const f = k('overlays/staging/kustomization.yaml');
    fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('resources:\n', 'resources:\n  - ../../base/does-not-exist\n'));
  };
  // the unbroken copy is the baseline: whatever it already reports (real drift, which the main
  // check reports too) cannot count as catching a breakage
  const clean = await check(tmp);
  const problems = [];
  for (const [what, , expect] of cases) {
    if (clean.failures.some((f) => expect.test(f.msg))) problems.push(`the unbroken copy already has a finding like the one expected for: ${what}`);
  }
  for (const [, apply] of cases) apply();
  const broken = await check(tmp);
  let caught = 0;
  for (const [what, , expect] of cases) {
    const hit = broken.failures.find((f) => expect.test(f.msg));
    if (hit) caught++;
    else problems.push(`not caught: ${what} (expected a finding matching ${expect})`);
  }
  if (process.env.SELF_TEST_VERBOSE) for (const f of broken.failures) console.log(`  finding: [${f.area}] ${f.msg}`);
  fs.rmSync(tmp, { recursive: true, force: true });
  console.log(`self-test: ${cases.length} deliberate breakages in a copy of deploy/, ${caught} caught, ${broken.failures.length} findings in total`);
  for (const p of problems) console.log(`  FAIL [self-test] ${p}`);
  return problems.length === 0;
}

// ------------------------------------------------------------------------------------------------

const args = process.argv.slice(2);
const t0 = Date.now();
if (args.includes('--self-test')) {
  const ok = await selfTest(REPO);
  console.log(`self-test: ${ok ? 'OK' : 'FAILED'} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  process.exit(ok ? 0 : 1);
} else {
  const ri = args.indexOf('--root');
  const root = ri >= 0 ? path.resolve(args[ri + 1]) : REPO;
  const res = await check(root);
  report(res, Date.now() - t0);
  if (args.includes('--explain')) {
    for (const m of res.modules) for (const [env, why] of requiredEnv(root, m)) console.log(`  required by ${m}: ${env} (${why})`);
  }
  if (args.includes('--provenance')) for (const p of vendoredProvenance()) console.log(`  ${p}`);
  process.exit(res.failures.length ? 1 : 0);
}
