// SPDX-License-Identifier: MIT
/*
 * The one place where the web pages talk to the BİMER JSON API (/api/v1): requests and
 * their problem+json errors (ApiError keeps the status, the stable code and the field
 * errors), idempotency keys, raw attachment uploads with progress, downloads that need
 * the bearer token, and the staff session (access and refresh tokens in sessionStorage,
 * renewed once on a 401, revoked on logout). Pages never call fetch themselves.
 */

const BASE = '/api/v1';
const SESSION_KEY = 'bimer.staff.session';
const LOGIN_PAGE = '/personel/giris.html';

/** Turkish fallbacks when an answer has no problem body (a dropped connection, a proxy). */
const FALLBACK = {
  0: 'Sunucuya ulaşılamadı. İnternet bağlantınızı kontrol edip yeniden deneyin.',
  400: 'İstek anlaşılamadı.',
  401: 'Oturumunuzun süresi doldu; lütfen yeniden giriş yapın.',
  403: 'Bu işlem için yetkiniz yok.',
  404: 'Aradığınız kayıt bulunamadı.',
  409: 'Kayıt bu işleme uygun durumda değil.',
  413: 'Gönderilen dosya ya da metin çok büyük.',
  415: 'Bu dosya türü kabul edilmiyor.',
  422: 'Gönderilen bilgilerde düzeltilmesi gereken alanlar var.',
  429: 'Çok fazla istek gönderildi; lütfen biraz bekleyip yeniden deneyin.',
  500: 'Beklenmeyen bir hata oluştu; lütfen daha sonra yeniden deneyin.',
  502: 'Hizmet şu anda yanıt vermiyor; lütfen daha sonra yeniden deneyin.',
  503: 'Hizmet geçici olarak kullanılamıyor; lütfen daha sonra yeniden deneyin.',
  504: 'Hizmet zamanında yanıt vermedi; lütfen daha sonra yeniden deneyin.',
};

/** An API failure: HTTP status, stable `code`, Turkish message and field errors. */
export class ApiError extends Error {
  constructor(status, problem, retryAfter) {
    const p = problem && typeof problem === 'object' ? problem : {};
    super(p.detail || p.title || FALLBACK[status] || FALLBACK[500]);
    this.name = 'ApiError';
    this.status = status;
    this.code = p.code || (status === 0 ? 'NETWORK_ERROR' : 'HTTP_' + status);
    this.errors = Array.isArray(p.errors) ? p.errors : [];
    this.requestId = p.request_id || null;
    this.retryAfter = retryAfter || null;
    if (status === 429 && retryAfter) {
      this.message += ` (${retryAfter} saniye sonra yeniden deneyebilirsiniz.)`;
    }
  }
}

/** A fresh Idempotency-Key (128 random bits, hex): makes a retried write safe. */
export function idempotencyKey() {
  const b = new Uint8Array(16);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

function lang() {
  return document.documentElement.lang === 'en' ? 'en' : 'tr';
}

async function problemOf(resp) {
  const type = resp.headers.get('Content-Type') || '';
  if (!type.includes('json')) return null;
  try {
    return await resp.json();
  } catch {
    return null;
  }
}

async function send(method, path, opts, token) {
  const headers = { Accept: opts.accept || 'application/json', 'Accept-Language': lang() };
  let body;
  if (opts.body !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  if (opts.idempotencyKey) headers['Idempotency-Key'] = opts.idempotencyKey;
  if (token) headers.Authorization = 'Bearer ' + token;
  try {
    return await fetch(BASE + path, { method, headers, body, credentials: 'omit', cache: 'no-store' });
  } catch {
    throw new ApiError(0, null);
  }
}

/**
 * Calls the API and returns the parsed JSON (null for an empty answer), or the Response
 * itself with opts.raw. Throws ApiError on any non-2xx answer. opts.auth sends the staff
 * bearer token and renews it once when it has expired.
 */
export async function api(method, path, opts = {}) {
  let token = opts.auth ? session()?.access_token : null;
  if (opts.auth && !token) return redirectToLogin();
  let resp = await send(method, path, opts, token);
  if (resp.status === 401 && opts.auth) {
    token = await refresh();
    if (!token) return redirectToLogin();
    resp = await send(method, path, opts, token);
    if (resp.status === 401) return redirectToLogin();
  }
  if (!resp.ok) {
    throw new ApiError(resp.status, await problemOf(resp), resp.headers.get('Retry-After'));
  }
  if (opts.raw) return resp;
  if (resp.status === 204) return null;
  const text = await resp.text();
  return text ? JSON.parse(text) : null;
}

export const get = (path, opts) => api('GET', path, opts);
export const post = (path, body, opts = {}) => api('POST', path, { ...opts, body });

/** A query string from an object, leaving out empty values. */
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}

/**
 * Uploads one file as the raw body of POST /api/v1/attachments with its own media type.
 * XMLHttpRequest, not fetch, because only it reports upload progress:
 * onProgress(fraction 0..1). Resolves to {attachment_id, sha256, size}.
 */
export function uploadAttachment(file, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', BASE + '/attachments');
    xhr.setRequestHeader('Content-Type', file.type);
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.setRequestHeader('Accept-Language', lang());
    xhr.setRequestHeader('Idempotency-Key', idempotencyKey());
    const token = session()?.access_token;
    if (token) xhr.setRequestHeader('Authorization', 'Bearer ' + token);
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && onProgress) onProgress(e.loaded / e.total);
    };
    xhr.onerror = () => reject(new ApiError(0, null));
    xhr.ontimeout = () => reject(new ApiError(0, null));
    xhr.onload = () => {
      let json = null;
      try {
        json = xhr.responseText ? JSON.parse(xhr.responseText) : null;
      } catch {
        json = null;
      }
      if (xhr.status >= 200 && xhr.status < 300 && json) {
        if (onProgress) onProgress(1);
        resolve(json);
      } else {
        reject(new ApiError(xhr.status, json, xhr.getResponseHeader('Retry-After')));
      }
    };
    xhr.send(file);
  });
}

/**
 * Fetches a staff-only document (a CSV or HTML report) with the bearer token and hands it
 * to the browser as a download: a Blob URL on a temporary link. Returns the file name.
 */
export async function download(path, fallbackName) {
  const resp = await api('GET', path, { auth: true, raw: true, accept: '*/*' });
  const blob = await resp.blob();
  const cd = resp.headers.get('Content-Disposition') || '';
  const m = /filename="?([^";]+)"?/i.exec(cd);
  const name = m ? m[1] : fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  return name;
}

// ------------------------------------------------------------------ staff session

function decodeClaims(jwt) {
  try {
    const part = jwt.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const bin = atob(part + '='.repeat((4 - (part.length % 4)) % 4));
    const bytes = Uint8Array.from(bin, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return {};
  }
}

function store(pair) {
  const c = decodeClaims(pair.access_token);
  const s = {
    access_token: pair.access_token,
    refresh_token: pair.refresh_token,
    username: c.sub || '',
    institution: c.inst || '',
    roles: Array.isArray(c.roles) ? c.roles : [],
  };
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(s));
  return s;
}

/** The staff session ({access_token, refresh_token, username, institution, roles}) or null. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(SESSION_KEY) || 'null');
  } catch {
    return null;
  }
}

export function hasRole(role) {
  return (session()?.roles || []).includes(role);
}

/** Logs in; throws ApiError (401 for a wrong name or password, 429 when limited). */
export async function login(username, password) {
  const pair = await post('/auth/login', { username, password });
  return store(pair);
}

let refreshing = null;

/** Renews the tokens once (shared by concurrent callers); null when the session is gone. */
function refresh() {
  const s = session();
  if (!s?.refresh_token) return Promise.resolve(null);
  if (!refreshing) {
    refreshing = post('/auth/refresh', { refresh_token: s.refresh_token })
      .then((pair) => store(pair).access_token)
      .catch(() => {
        sessionStorage.removeItem(SESSION_KEY);
        return null;
      })
      .finally(() => {
        refreshing = null;
      });
  }
  return refreshing;
}

/** Revokes the session on the server (best effort) and forgets it here. */
export async function logout() {
  const s = session();
  sessionStorage.removeItem(SESSION_KEY);
  if (!s) return;
  try {
    await send('POST', '/auth/logout', { body: { refresh_token: s.refresh_token } }, s.access_token);
  } catch {
    /* the tokens are gone from this browser either way */
  }
}

let leaving = false;

/**
 * Sends the browser to the login page, asking it to come back here afterwards. Returns a
 * promise that never settles: the page is going away, nothing after it should run.
 */
export function redirectToLogin() {
  if (!leaving) {
    leaving = true;
    const next = location.pathname + location.search;
    location.assign(LOGIN_PAGE + '?sonra=' + encodeURIComponent(next));
  }
  return new Promise(() => {});
}

/** A staff page's first call: the session, or (on the way to the login page) an empty one. */
export function requireSession() {
  const s = session();
  if (s?.access_token) return s;
  redirectToLogin();
  return { access_token: '', refresh_token: '', username: '', institution: '', roles: [] };
}
