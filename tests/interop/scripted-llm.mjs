// A scripted OpenAI-compatible chat endpoint on 127.0.0.1 for the interop run (no real LLM here);
// hosted agents on the API talk to it through the real OpenAI client. The model name picks the
// reply: "stream" (four deltas, 30 ms apart: "The answer is 42."), "hang" (no answer until the
// caller goes away), anything else one reply. Streamed or not, as the request asks.
// Usage: node scripted-llm.mjs PORT
import http from 'node:http';

const deltas = ['The ', 'answer ', 'is ', '42.'];
const usage = { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 };

function chunk(model, body) {
  return `data: ${JSON.stringify({ id: 'chatcmpl-interop', object: 'chat.completion.chunk', created: 1700000000, model, ...body })}\n\n`;
}

const server = http.createServer(async (req, res) => {
  if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
    res.writeHead(404).end();
    return;
  }
  let raw = '';
  for await (const piece of req) raw += piece;
  const request = JSON.parse(raw || '{}');
  const model = request.model ?? 'plain';
  if (model === 'hang') {
    // Answers nothing: the turn stays working until it is cancelled.
    req.on('close', () => res.destroy());
    return;
  }
  const pieces = model === 'stream' ? deltas : ['Hello from the scripted model.'];
  if (!request.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({
      id: 'chatcmpl-interop', object: 'chat.completion', created: 1700000000, model,
      choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: pieces.join('') } }],
      usage,
    }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream' });
  for (const delta of pieces) {
    res.write(chunk(model, { choices: [{ index: 0, delta: { role: 'assistant', content: delta }, finish_reason: null }] }));
    await new Promise((r) => setTimeout(r, 30));
  }
  res.write(chunk(model, { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
  res.write(chunk(model, { choices: [], usage }));
  res.end('data: [DONE]\n\n');
});
server.listen(Number(process.argv[2]), '127.0.0.1');
