// The official TypeScript MCP SDK against /mcp of a real API (started by run.sh, URL in
// AGENTS_API_URL): lists the tools, calls each one, sees a missing permission as a tool error,
// and is refused without credentials.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { api, base, login } from './api.mjs';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

const suffix = randomUUID().slice(0, 8);
const agentId = `interop-${suffix}`;
const workflowId = `wf-interop-${suffix}`;
const viewerName = `viewer-${suffix}`;
const viewerPassword = `viewer-password-${suffix}`;

async function connect(headers) {
  const client = new Client({ name: 'orleans-agents-interop', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), { requestInit: { headers } });
  await client.connect(transport);
  return client;
}

/** Calls a tool and returns the parsed JSON of its text content (a result or a problem). */
async function call(client, name, args) {
  const result = await client.callTool({ name, arguments: args });
  const text = result.content.find((c) => c.type === 'text')?.text;
  assert.ok(text, `${name} returned text content`);
  return { isError: result.isError === true, body: JSON.parse(text), structured: result.structuredContent };
}

/** Polls a tool until done(body) holds, for at most the deadline: long work is never awaited in one call. */
async function poll(client, name, args, done, seconds = 60) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const { isError, body } = await call(client, name, args);
    assert.equal(isError, false, JSON.stringify(body));
    if (done(body)) return body;
    if (Date.now() > deadline) assert.fail(`${name} did not reach the expected state: ${JSON.stringify(body)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

let adminToken;
let admin;
let viewer;
let approver;

before(async () => {
  adminToken = await login('admin', 'dev-admin-password');
  let r = await api('POST', '/api/agents', adminToken,
    { id: agentId, name: 'Interop agent', capabilities: [`cap-${suffix}`], maxConcurrentTasks: 4 });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  r = await api('POST', '/api/workflows', adminToken, {
    id: workflowId,
    name: `Interop approval ${suffix}`,
    goal: 'Echo a word after a human approves',
    inputSchema: { type: 'object', properties: { word: { type: 'string' } }, required: ['word'] },
    steps: [{ id: 'gate', agentId, skill: 'echo', requiresApproval: true, input: { question: '{{ input.word }}' } }],
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
  r = await api('POST', `/api/workflows/${workflowId}/validate`, adminToken);
  assert.equal(r.json.status, 'validated', JSON.stringify(r.json));
  r = await api('POST', '/api/users', adminToken, { name: viewerName, password: viewerPassword, roles: ['viewer'] });
  assert.equal(r.status, 201, JSON.stringify(r.json));

  // Gates are decided by someone other than the run's starter (the admin): an operator.
  r = await api('POST', '/api/users', adminToken, { name: `${viewerName}-ops`, password: viewerPassword, roles: ['operator'] });
  assert.equal(r.status, 201, JSON.stringify(r.json));

  admin = await connect({ authorization: `Bearer ${adminToken}` });
  viewer = await connect({ authorization: `Bearer ${await login(viewerName, viewerPassword)}` });
  approver = await connect({ authorization: `Bearer ${await login(`${viewerName}-ops`, viewerPassword)}` });
});

after(async () => {
  await admin?.close();
  await viewer?.close();
  await approver?.close();
});

test('mcp lists every tool with a schema and a description', async () => {
  const { tools } = await admin.listTools();
  const names = tools.map((t) => t.name).sort();
  assert.deepEqual(names, [
    'approve_workflow_step', 'ask_agent', 'get_agent', 'get_agent_answer', 'get_agent_trust', 'get_task', 'get_workflow_run', 'list_agents',
    'list_trust_rankings', 'reject_workflow_step', 'search_workflows', 'start_workflow_run', 'submit_task',
  ]);
  for (const tool of tools) {
    assert.equal(tool.inputSchema.type, 'object', tool.name);
    assert.ok(tool.description.length > 40, tool.name);
  }
  const submit = tools.find((t) => t.name === 'submit_task');
  assert.deepEqual([...submit.inputSchema.required].sort(), ['input', 'skill']);
});

test('mcp list_agents and get_agent read the registry', async () => {
  const page = await call(admin, 'list_agents', { capability: `cap-${suffix}` });
  assert.equal(page.isError, false);
  assert.deepEqual(page.body.items.map((a) => a.id), [agentId]);
  assert.deepEqual(page.structured, page.body);

  const one = await call(admin, 'get_agent', { agentId });
  assert.equal(one.body.status, 'idle');

  const missing = await call(admin, 'get_agent', { agentId: `missing-${suffix}` });
  assert.equal(missing.isError, true);
  assert.equal(missing.body.code, 'agent.not_found');
  assert.equal(missing.body.status, 404);

  const bad = await call(admin, 'list_agents', { status: 'sleepy' });
  assert.equal(bad.isError, true);
  assert.equal(bad.body.code, 'request.invalid_status');
});

test('mcp submit_task is idempotent and get_task follows it to the result', async () => {
  const args = { skill: 'echo', input: { question: 'ping' }, agentId, idempotencyKey: `key-${suffix}` };
  const first = await call(admin, 'submit_task', args);
  assert.equal(first.isError, false, JSON.stringify(first.body));
  assert.match(first.body.id, /^t_/);
  const again = await call(admin, 'submit_task', args);
  assert.equal(again.body.id, first.body.id);

  const done = await poll(admin, 'get_task', { taskId: first.body.id }, (t) => !['queued', 'running'].includes(t.state));
  assert.equal(done.state, 'succeeded', JSON.stringify(done));

  const routed = await call(admin, 'submit_task', { skill: 'echo', input: { question: 'routed' }, capability: `cap-${suffix}` });
  assert.equal(routed.body.agentId, agentId);

  const both = await call(admin, 'submit_task', { skill: 'echo', input: {}, capability: 'x', agentId });
  assert.equal(both.isError, true);
  assert.equal(both.body.code, 'task.invalid_target');
});

test('mcp workflow runs start, wait at the gate, and are approved or rejected', async () => {
  const found = await call(admin, 'search_workflows', { q: 'approval' });
  assert.ok(found.body.items.some((w) => w.id === workflowId), JSON.stringify(found.body));

  const started = await call(admin, 'start_workflow_run', { workflowId, mode: 'test', input: { word: 'yes' } });
  assert.equal(started.isError, false, JSON.stringify(started.body));
  const runId = started.body.runId;
  await poll(admin, 'get_workflow_run', { runId }, (r) => r.status === 'waiting');
  const self = await call(admin, 'approve_workflow_step', { runId, stepId: 'gate' });
  assert.equal(self.isError, true);
  assert.equal(self.body.code, 'workflow.self_approval');
  const approved = await call(approver, 'approve_workflow_step', { runId, stepId: 'gate', comment: 'looks fine' });
  assert.equal(approved.isError, false, JSON.stringify(approved.body));
  const finished = await poll(admin, 'get_workflow_run', { runId }, (r) => !['running', 'waiting'].includes(r.status));
  assert.equal(finished.status, 'succeeded', JSON.stringify(finished));

  const second = await call(admin, 'start_workflow_run', { workflowId, mode: 'test', input: { word: 'no' } });
  await poll(admin, 'get_workflow_run', { runId: second.body.runId }, (r) => r.status === 'waiting');
  const rejected = await call(approver, 'reject_workflow_step', { runId: second.body.runId, stepId: 'gate' });
  assert.equal(rejected.isError, false, JSON.stringify(rejected.body));
  const failed = await poll(admin, 'get_workflow_run', { runId: second.body.runId }, (r) => !['running', 'waiting'].includes(r.status));
  assert.equal(failed.status, 'failed');

  const again = await call(approver, 'approve_workflow_step', { runId, stepId: 'gate' });
  assert.equal(again.isError, true);
  assert.equal(again.body.code, 'workflow.step_not_waiting');

  const production = await call(admin, 'start_workflow_run', { workflowId, mode: 'production', input: { word: 'x' } });
  assert.equal(production.isError, true);
  assert.equal(production.body.code, 'workflow.mode_not_allowed');
});

test('mcp trust tools read the rankings', async () => {
  const ranking = await call(admin, 'list_trust_rankings', { limit: 10 });
  assert.equal(ranking.isError, false, JSON.stringify(ranking.body));
  assert.ok(Array.isArray(ranking.body.items));
  const one = await call(admin, 'get_agent_trust', { agentId });
  assert.equal(one.isError, false, JSON.stringify(one.body));
  assert.equal(one.body.agentId, agentId);
});

test('mcp a missing permission is a tool error with auth.forbidden', async () => {
  const read = await call(viewer, 'list_agents', {});
  assert.equal(read.isError, false);

  const submit = await call(viewer, 'submit_task', { skill: 'echo', input: {}, agentId });
  assert.equal(submit.isError, true);
  assert.equal(submit.body.code, 'auth.forbidden');
  assert.match(submit.body.detail, /agent:execute/);

  const run = await call(viewer, 'start_workflow_run', { workflowId, mode: 'test', input: { word: 'x' } });
  assert.equal(run.body.code, 'auth.forbidden');
});

test('mcp ask_agent answers with a hosted agent\'s final message, or an id to poll past its bound', async () => {
  for (const [id, model] of [[`ask-plain-${suffix}`, 'plain'], [`ask-hang-${suffix}`, 'hang']]) {
    const r = await api('POST', '/api/agents', adminToken, {
      id, name: `Ask ${model}`, capabilities: ['chat'], instructions: 'You are a test assistant.', model: { provider: 'scripted', model }, tools: [],
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }

  const first = await call(admin, 'ask_agent', { agentId: `ask-plain-${suffix}`, message: 'Hello?' });
  assert.equal(first.isError, false, JSON.stringify(first.body));
  assert.equal(first.body.done, true);
  assert.equal(first.body.state, 'completed');
  assert.equal(first.body.answer, 'Hello from the scripted model.');
  assert.match(first.body.conversationId, /^c_/);
  const again = await call(admin, 'ask_agent', { agentId: `ask-plain-${suffix}`, message: 'Again?', conversationId: first.body.conversationId });
  assert.equal(again.body.turnId, '2');
  assert.equal(again.body.done, true);

  // Past the bound the tool answers anyway, with what to poll.
  const slow = await call(admin, 'ask_agent', { agentId: `ask-hang-${suffix}`, message: 'Think hard.', waitSeconds: 1 });
  assert.equal(slow.isError, false, JSON.stringify(slow.body));
  assert.equal(slow.body.done, false);
  assert.ok(['queued', 'running'].includes(slow.body.state), slow.body.state);
  const polled = await call(admin, 'get_agent_answer', { conversationId: slow.body.conversationId, turnId: slow.body.turnId, waitSeconds: 0 });
  assert.equal(polled.body.done, false);
  const cancel = await api('POST', `/api/conversations/${slow.body.conversationId}/turns/${slow.body.turnId}/cancel`, adminToken);
  assert.equal(cancel.status, 200, JSON.stringify(cancel.json));
  const cancelled = await call(admin, 'get_agent_answer', { conversationId: slow.body.conversationId, turnId: slow.body.turnId });
  assert.equal(cancelled.body.state, 'cancelled');

  // Another user's conversation is not found; a viewer may not ask.
  const foreign = await call(viewer, 'get_agent_answer', { conversationId: first.body.conversationId, turnId: '1' });
  assert.equal(foreign.isError, true);
  assert.equal(foreign.body.code, 'conversation.not_found');
  const denied = await call(viewer, 'ask_agent', { agentId: `ask-plain-${suffix}`, message: 'hi' });
  assert.equal(denied.body.code, 'auth.forbidden');
});

test('mcp an api key authenticates like a bearer token', async () => {
  const key = await api('POST', '/api/api-keys', adminToken, { name: `interop-${suffix}`, roles: ['viewer'] });
  assert.equal(key.status, 201, JSON.stringify(key.json));
  const client = await connect({ 'x-api-key': key.json.key });
  try {
    const page = await call(client, 'list_agents', { capability: `cap-${suffix}` });
    assert.equal(page.isError, false);
    const submit = await call(client, 'submit_task', { skill: 'echo', input: {}, agentId });
    assert.equal(submit.body.code, 'auth.forbidden');
  } finally {
    await client.close();
  }
});

test('mcp refuses a client without credentials', async () => {
  await assert.rejects(connect({}), (e) => /401|auth/i.test(String(e?.message ?? e)));
  const raw = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(raw.status, 401);
  assert.equal(raw.headers.get('www-authenticate'), 'Bearer');
  assert.equal((await raw.json()).code, 'auth.required');

  const badToken = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: { authorization: 'Bearer not-a-token', 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  assert.equal(badToken.status, 401);
  assert.equal((await badToken.json()).code, 'auth.invalid_token');
});
