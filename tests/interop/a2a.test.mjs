// The official A2A JS SDK (@a2a-js/sdk, protocol v1.0, JSON-RPC transport) against a real API
// (started by run.sh, URL in AGENTS_API_URL) with hosted agents on the scripted LLM: agent
// cards, SendMessage, SendStreamingMessage, GetTask after the stream, CancelTask, ListTasks with
// pages, and another user who cannot see someone else's task.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { api, base, login } from './api.mjs';
import { randomUUID } from 'node:crypto';
import { ClientFactory, DefaultAgentCardResolver, JsonRpcTransportFactory } from '@a2a-js/sdk/client';
import { Role, TaskState } from '@a2a-js/sdk';

const suffix = randomUUID().slice(0, 8);
const plainAgent = `a2a-plain-${suffix}`;
const streamAgent = `a2a-stream-${suffix}`;
const hangAgent = `a2a-hang-${suffix}`;

/** The SDK's fetch with the caller's bearer token: for the card resolver and the JSON-RPC transport alike. */
function authenticated(token) {
  return (url, init = {}) => fetch(url, { ...init, headers: { ...(init.headers ?? {}), authorization: `Bearer ${token}` } });
}

/** An SDK client built the SDK's way: resolve the agent card under baseUrl, then pick its JSON-RPC interface. */
async function clientFor(token, baseUrl) {
  const fetchImpl = authenticated(token);
  const factory = new ClientFactory({
    transports: [new JsonRpcTransportFactory({ fetchImpl })],
    cardResolver: new DefaultAgentCardResolver({ fetchImpl }),
  });
  return factory.createFromUrl(baseUrl);
}

function userMessage(text, extra = {}) {
  return { messageId: randomUUID(), role: Role.ROLE_USER, parts: [{ content: { $case: 'text', value: text } }], ...extra };
}

function textOf(parts) {
  return parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('');
}

async function register(token, id, model) {
  const r = await api('POST', '/api/agents', token, {
    id, name: `A2A ${model} agent`, description: `Answers with the scripted '${model}' model.`, capabilities: ['chat'],
    instructions: 'You are a test assistant.', model: { provider: 'scripted', model }, tools: [],
  });
  assert.equal(r.status, 201, JSON.stringify(r.json));
}

let adminToken;
let otherToken;
let viewerToken;

before(async () => {
  adminToken = await login('admin', 'dev-admin-password');
  await register(adminToken, plainAgent, 'plain');
  await register(adminToken, streamAgent, 'stream');
  await register(adminToken, hangAgent, 'hang');
  for (const [name, roles] of [[`other-${suffix}`, ['developer']], [`watcher-${suffix}`, ['viewer']]]) {
    const r = await api('POST', '/api/users', adminToken, { name, password: `password-${name}`, roles });
    assert.equal(r.status, 201, JSON.stringify(r.json));
  }
  otherToken = await login(`other-${suffix}`, `password-other-${suffix}`);
  viewerToken = await login(`watcher-${suffix}`, `password-watcher-${suffix}`);
});

test('a2a agent cards: the cluster lists hosted agents as skills, each agent has its own card', async () => {
  const anonymous = await (await fetch(`${base}/.well-known/agent-card.json`)).json();
  assert.equal(anonymous.supportedInterfaces[0].protocolBinding, 'JSONRPC');
  assert.deepEqual(anonymous.skills, [], 'an anonymous caller sees no agents');

  const resolver = new DefaultAgentCardResolver({ fetchImpl: authenticated(adminToken) });
  const card = await resolver.resolve(base);
  assert.equal(card.supportedInterfaces[0].url, `${base}/api/a2a`);
  assert.equal(card.supportedInterfaces[0].protocolVersion, '1.0');
  assert.equal(card.capabilities.streaming, true);
  assert.equal(card.securitySchemes.bearer.scheme.$case, 'httpAuthSecurityScheme');
  assert.equal(card.securitySchemes.bearer.scheme.value.scheme, 'Bearer');
  const skill = card.skills.find((s) => s.id === plainAgent);
  assert.ok(skill, 'the hosted agent is a skill');
  assert.equal(skill.description, "Answers with the scripted 'plain' model.");

  const own = await resolver.resolve(`${base}/api/a2a/agents/${plainAgent}/`);
  assert.equal(own.supportedInterfaces[0].url, `${base}/api/a2a/agents/${plainAgent}`);
  assert.deepEqual(own.skills.map((s) => s.id), [plainAgent]);
});

test('a2a SendMessage answers with the completed task and the reply', async () => {
  const client = await clientFor(adminToken, `${base}/api/a2a/agents/${plainAgent}/`);
  const task = await client.sendMessage({ message: userMessage('Hello?') });
  assert.match(task.id, /^c_[a-z2-7]{26}\.1$/);
  assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED, JSON.stringify(task.status));
  assert.equal(textOf(task.artifacts[0].parts), 'Hello from the scripted model.');
  assert.equal(textOf(task.status.message.parts), 'Hello from the scripted model.');
  assert.equal(task.history[0].role, Role.ROLE_USER);

  // The same context continues the conversation: the next task is its second turn.
  const next = await client.sendMessage({ message: userMessage('Again?', { contextId: task.contextId }) });
  assert.equal(next.id, `${task.contextId}.2`);
  assert.equal(next.status.state, TaskState.TASK_STATE_COMPLETED);
});

test('a2a SendStreamingMessage streams the reply, then GetTask reads the finished task', async () => {
  const client = await clientFor(adminToken, base);
  const events = [];
  for await (const event of client.sendMessageStream({ message: userMessage('What is the answer?', { metadata: { agentId: streamAgent } }) })) {
    events.push(event.payload);
  }
  assert.equal(events[0].$case, 'task');
  const taskId = events[0].value.id;
  const pieces = events.filter((e) => e.$case === 'artifactUpdate' && e.value.append).map((e) => textOf(e.value.artifact.parts));
  const whole = events.filter((e) => e.$case === 'artifactUpdate' && e.value.lastChunk);
  assert.ok(pieces.length >= 2, `deltas arrived as appended chunks: ${JSON.stringify(events)}`);
  assert.equal(textOf(whole[0].value.artifact.parts), 'The answer is 42.');
  const last = events.at(-1);
  assert.equal(last.$case, 'statusUpdate');
  assert.equal(last.value.status.state, TaskState.TASK_STATE_COMPLETED);

  const task = await client.getTask({ id: taskId });
  assert.equal(task.status.state, TaskState.TASK_STATE_COMPLETED);
  assert.equal(textOf(task.artifacts[0].parts), 'The answer is 42.');
});

test('a2a CancelTask cancels a working task; a finished one is not cancelable', async () => {
  const client = await clientFor(adminToken, `${base}/api/a2a/agents/${hangAgent}/`);
  const task = await client.sendMessage({ message: userMessage('Think forever.'), configuration: { returnImmediately: true } });
  assert.ok([TaskState.TASK_STATE_SUBMITTED, TaskState.TASK_STATE_WORKING].includes(task.status.state));
  const cancelled = await client.cancelTask({ id: task.id });
  assert.equal(cancelled.status.state, TaskState.TASK_STATE_CANCELED, JSON.stringify(cancelled.status));
  assert.equal((await client.getTask({ id: task.id })).status.state, TaskState.TASK_STATE_CANCELED);
  await assert.rejects(client.cancelTask({ id: task.id }), (e) => e.name === 'TaskNotCancelableError');
});

test('a2a SubscribeToTask follows a working task until it is cancelled', async () => {
  const client = await clientFor(adminToken, `${base}/api/a2a/agents/${hangAgent}/`);
  const task = await client.sendMessage({ message: userMessage('Wait for me.'), configuration: { returnImmediately: true } });
  const events = [];
  const following = (async () => {
    for await (const event of client.resubscribeTask({ id: task.id })) {
      events.push(event.payload);
      if (events.length === 1) await client.cancelTask({ id: task.id });
    }
  })();
  await following;
  assert.equal(events[0].$case, 'task');
  assert.equal(events[0].value.id, task.id);
  const last = events.at(-1);
  assert.equal(last.$case, 'statusUpdate', JSON.stringify(events));
  assert.equal(last.value.status.state, TaskState.TASK_STATE_CANCELED);
  // A finished task has nothing left to follow.
  await assert.rejects(async () => { for await (const _ of client.resubscribeTask({ id: task.id })); },
    (e) => e.name === 'UnsupportedOperationError');
});

test('a2a ListTasks pages through the caller\'s tasks, newest first', async () => {
  const client = await clientFor(otherToken, `${base}/api/a2a/agents/${plainAgent}/`);
  const first = await client.sendMessage({ message: userMessage('one') });
  const second = await client.sendMessage({ message: userMessage('two', { contextId: first.contextId }) });
  const third = await client.sendMessage({ message: userMessage('three') });

  const page1 = await client.listTasks({ pageSize: 2 });
  assert.deepEqual(page1.tasks.map((t) => t.id), [third.id, second.id]);
  assert.equal(page1.totalSize, 3);
  assert.ok(page1.nextPageToken);
  const page2 = await client.listTasks({ pageSize: 2, pageToken: page1.nextPageToken });
  assert.deepEqual(page2.tasks.map((t) => t.id), [first.id]);
  assert.equal(page2.nextPageToken, '');

  const inContext = await client.listTasks({ contextId: first.contextId });
  assert.deepEqual(inContext.tasks.map((t) => t.id), [second.id, first.id]);
});

test('a2a tasks belong to their caller: another user gets TaskNotFound, a viewer cannot send', async () => {
  const owner = await clientFor(adminToken, `${base}/api/a2a/agents/${plainAgent}/`);
  const task = await owner.sendMessage({ message: userMessage('mine') });

  const stranger = await clientFor(otherToken, `${base}/api/a2a/agents/${plainAgent}/`);
  await assert.rejects(stranger.getTask({ id: task.id }), (e) => e.name === 'TaskNotFoundError');
  await assert.rejects(stranger.cancelTask({ id: task.id }), (e) => e.name === 'TaskNotFoundError');
  // A known contextId is no key to someone else's conversation.
  await assert.rejects(stranger.sendMessage({ message: userMessage('let me in', { contextId: task.contextId }) }),
    (e) => e.data?.[0]?.metadata?.code === 'a2a.context_not_found');
  const listed = await stranger.listTasks({ contextId: task.contextId });
  assert.deepEqual(listed.tasks, []);

  const viewer = await clientFor(viewerToken, `${base}/api/a2a/agents/${plainAgent}/`);
  await assert.rejects(viewer.sendMessage({ message: userMessage('hi') }), (e) => e.data?.[0]?.metadata?.code === 'auth.forbidden');
});
