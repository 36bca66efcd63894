// The gateway's API as the studio uses it: bearer token, JSON, ETag/If-Match, and problem+json turned into words.

/** An API refusal: `problem` is the RFC 7807 document when the answer was one. */
export class ApiError extends Error {
  constructor(status, problem, fallback) {
    super(describeProblem(status, problem, fallback));
    this.status = status;
    this.problem = problem;
  }
}

let token = null;
let onUnauthorized = () => {};

export function setToken(value) { token = value; }
export function whenUnauthorized(handler) { onUnauthorized = handler; }

/**
 * One request. Resolves to {status, etag, body, headers}; rejects with ApiError (4xx/5xx) or with an Error whose
 * message says the gateway could not be reached. `body` is sent as JSON; `raw` (a string or Blob, e.g. a file to
 * import) as it is, with `contentType`.
 */
export async function api(method, path, { body, raw, contentType, ifMatch, headers = {} } = {}) {
  const h = { Accept: 'application/json, application/problem+json', ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  if (body !== undefined) h['Content-Type'] = 'application/json';
  if (raw !== undefined) h['Content-Type'] = contentType || 'application/octet-stream';
  if (ifMatch) h['If-Match'] = ifMatch;
  let res;
  try {
    const payload = raw !== undefined ? raw : body === undefined ? undefined : JSON.stringify(body);
    res = await fetch(path, { method, headers: h, body: payload });
  } catch (e) {
    throw new Error(`The gateway could not be reached (${e.message}). Is the local stack running?`);
  }
  const type = res.headers.get('Content-Type') || '';
  let payload = null;
  if (res.status !== 204 && res.status !== 304) {
    const text = await res.text();
    if (text && type.includes('json')) {
      try { payload = JSON.parse(text); } catch { payload = null; }
    }
  }
  if (!res.ok) {
    const error = new ApiError(res.status, payload && typeof payload === 'object' ? payload : null, res.statusText);
    if (res.status === 401 && path.startsWith('/api/')) onUnauthorized(error);
    throw error;
  }
  return { status: res.status, etag: res.headers.get('ETag'), body: payload, headers: res.headers };
}

const FRIENDLY = {
  400: 'The request was not understood.',
  401: 'You are not signed in, or your sign-in has expired.',
  402: 'Your budget for generation jobs this month is used up.',
  403: 'You may look at this, but only its owner may change it.',
  404: 'It does not exist (any more), or it is not visible to you.',
  409: 'That already exists, or another change won at the same moment.',
  412: 'Somebody changed this concept since you loaded it.',
  413: 'That is too large for the server.',
  422: 'Some values are not acceptable.',
  429: 'Too many requests in a short time: wait a moment and try again.',
  502: 'A service behind the gateway broke off its answer.',
  503: 'A service is unavailable right now: try again shortly.',
  504: 'A service took too long to answer: try again shortly.',
};

/** A problem document in words: what happened, the server's explanation, and each offending field. */
export function describeProblem(status, problem, fallback) {
  const parts = [FRIENDLY[status] || `The request failed (${status}${fallback ? ' ' + fallback : ''}).`];
  if (problem) {
    const said = [problem.title, problem.detail].filter(Boolean).join(': ');
    if (said) parts.push(`The server said: ${said}.`.replace(/\.\.$/, '.'));
    if (Array.isArray(problem.errors)) {
      for (const e of problem.errors) {
        if (e && (e.field || e.message)) parts.push(`${e.field ? e.field + ' ' : ''}${e.message || ''}.`);
      }
    }
    if (problem.requestId) parts.push(`(request ${problem.requestId})`);
  }
  return parts.join(' ');
}

/** The claims of a JWT (not verified: the gateway does that), or null. */
export function claims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    return JSON.parse(decodeURIComponent(escape(atob(part))));
  } catch {
    return null;
  }
}

/** A file from the API (an export): {blob, filename} from Content-Disposition; refusals as in api(). */
export async function download(path) {
  const h = { Accept: '*/*' };
  if (token) h.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(path, { headers: h });
  } catch (e) {
    throw new Error(`The gateway could not be reached (${e.message}). Is the local stack running?`);
  }
  if (!res.ok) {
    let problem = null;
    try { problem = await res.json(); } catch { problem = null; }
    throw new ApiError(res.status, problem, res.statusText);
  }
  const disposition = res.headers.get('Content-Disposition') || '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  const plain = /filename="([^"]+)"/i.exec(disposition);
  const filename = encoded ? decodeURIComponent(encoded[1]) : plain ? plain[1] : 'concept';
  return { blob: await res.blob(), filename };
}
