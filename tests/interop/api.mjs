// What both interop test files need from the API itself (not a test: run.sh runs *.test.mjs only):
// its base URL, a JSON call with a bearer token, and a login.
import assert from 'node:assert/strict';

export const base = process.env.AGENTS_API_URL ?? 'http://127.0.0.1:8080';

export async function api(method, path, token, body, headers = {}) {
  const response = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

export async function login(username, password) {
  const response = await fetch(`${base}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  assert.equal(response.status, 200, `login of ${username}`);
  return (await response.json()).accessToken;
}
