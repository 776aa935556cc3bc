// Sequential latency of one read as an MCP tool call vs the same HTTP endpoint (not a test).
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
const base = process.env.AGENTS_API_URL ?? 'http://127.0.0.1:8080';
const n = Number(process.env.N ?? 500);
const login = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: 'dev-admin-password' }) });
const token = (await login.json()).accessToken;
const headers = { authorization: `Bearer ${token}` };
const client = new Client({ name: 'latency', version: '1' });
await client.connect(new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } }));
const pct = (xs, p) => xs.sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))].toFixed(2);
async function measure(name, fn) {
  for (let i = 0; i < 50; i++) await fn();
  const xs = [];
  for (let i = 0; i < n; i++) { const t = performance.now(); await fn(); xs.push(performance.now() - t); }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`${name}: n=${n} mean ${mean.toFixed(2)} ms, p50 ${pct(xs, 0.5)} ms, p99 ${pct(xs, 0.99)} ms`);
}
await measure('GET /api/agents?limit=10', async () => { const r = await fetch(`${base}/api/agents?limit=10`, { headers }); await r.text(); });
await measure('MCP list_agents limit=10', async () => { await client.callTool({ name: 'list_agents', arguments: { limit: 10 } }); });
await client.close();
