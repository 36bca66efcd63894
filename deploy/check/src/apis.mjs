// The API descriptions, checked by their own projects' tools:
//   - docs/events.asyncapi.yaml (every Kafka topic) parses with the AsyncAPI parser (@asyncapi/parser 3)
//     without errors, and its channel addresses are exactly the topic names of contracts' Topics.java;
//   - the gateway's /ws/jobs description (api-gateway/.../META-INF/jobs-socket.asyncapi.yaml) parses too;
//   - the public API's OpenAPI document (api-gateway/.../META-INF/openapi.yaml) passes Redocly's CLI lint
//     with its recommended rules, with no error and no warning.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { Parser } from '@asyncapi/parser';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const REDOCLY = path.resolve(here, '..', 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');

export const EVENTS = 'docs/events.asyncapi.yaml';
export const TOPICS = 'contracts/src/main/java/io/dialectica/contracts/Topics.java';
export const JOBS_SOCKET = 'api-gateway/src/main/resources/META-INF/jobs-socket.asyncapi.yaml';
export const PUBLIC_API = 'api-gateway/src/main/resources/META-INF/openapi.yaml';

/** The topic names of Topics.java: every `public static final String X = "...";`. */
export function topicConstants(root) {
  const f = path.join(root, TOPICS);
  if (!fs.existsSync(f)) return null;
  const text = fs.readFileSync(f, 'utf8');
  return [...text.matchAll(/public\s+static\s+final\s+String\s+(\w+)\s*=\s*"([^"]+)"\s*;/g)].map((m) => ({ constant: m[1], name: m[2] }));
}

const SEVERITY = ['error', 'warning', 'info', 'hint'];

/** Parses an AsyncAPI file; errors (severity 0) fail, the document is returned when there is one. */
async function parseAsyncApi(root, file, area, fail) {
  const f = path.join(root, file);
  if (!fs.existsSync(f)) { fail(area, `${file} does not exist`); return null; }
  const parser = new Parser();
  const { document, diagnostics } = await parser.parse(fs.readFileSync(f, 'utf8'), { source: f });
  for (const d of diagnostics) {
    if (d.severity === 0 || d.severity === 1) {
      fail(area, `${file}: ${SEVERITY[d.severity]} ${d.code}: ${d.message}${d.path?.length ? ` (at ${d.path.join('.')})` : ''}`);
    }
  }
  return document ?? null;
}

export async function checkApiDocs(root, fail, stats) {
  // 1. the event catalogue: whole, and parseable by the AsyncAPI project's parser
  const doc = await parseAsyncApi(root, EVENTS, 'events', fail);
  const topics = topicConstants(root);
  if (!topics) fail('events', `${TOPICS} does not exist`);
  if (doc && topics) {
    const addresses = doc.channels().all().map((c) => c.address());
    stats.channels = addresses.length;
    for (const t of topics) {
      if (!addresses.includes(t.name)) fail('events', `topic "${t.name}" (Topics.${t.constant}) has no channel in ${EVENTS}`);
    }
    for (const a of addresses) {
      if (!topics.some((t) => t.name === a)) fail('events', `channel address "${a}" in ${EVENTS} is not a topic of Topics.java`);
    }
    for (const c of doc.channels().all()) {
      if (c.messages().all().length === 0) fail('events', `channel ${c.id()} (${c.address()}) in ${EVENTS} describes no message`);
    }
  }
  // 2. the /ws/jobs protocol
  const ws = await parseAsyncApi(root, JOBS_SOCKET, 'websocket', fail);
  if (ws && !ws.channels().all().some((c) => c.address() === '/ws/jobs')) fail('websocket', `${JOBS_SOCKET} has no channel /ws/jobs`);

  // 3. the public API: Redocly's CLI, recommended rules
  const api = path.join(root, PUBLIC_API);
  if (!fs.existsSync(api)) { fail('openapi', `${PUBLIC_API} does not exist`); return; }
  let out;
  try {
    ({ stdout: out } = await run(process.execPath, [REDOCLY, 'lint', api, '--extends', 'recommended', '--format', 'json', '--max-problems', '1000'],
      { maxBuffer: 64 << 20, env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' } }));
  } catch (e) {
    out = e.stdout; // lint exits 1 on errors; the JSON report is still there
    if (!out) { fail('openapi', `redocly lint did not run: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' | ')}`); return; }
  }
  let report;
  try { report = JSON.parse(out.slice(out.indexOf('{'))); } catch (e) { fail('openapi', `redocly lint: unreadable report: ${e.message}`); return; }
  stats.openapi = { errors: report.totals?.errors ?? 0, warnings: report.totals?.warnings ?? 0, operations: countOperations(api) };
  for (const p of report.problems ?? []) {
    if (p.severity !== 'error' && p.severity !== 'warn') continue;
    const where = p.location?.[0]?.pointer ?? '';
    fail('openapi', `${PUBLIC_API}: redocly ${p.severity} ${p.ruleId}: ${p.message}${where ? ` (at ${decodeURIComponent(where)})` : ''}`);
  }
}

function countOperations(file) {
  const text = fs.readFileSync(file, 'utf8');
  return (text.match(/^ {4}(get|put|post|delete|patch|head|options|trace):\s*$/gm) ?? []).length;
}
