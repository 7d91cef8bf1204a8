// An A2A v0.3 agent built only from the official SDK (@a2a-js/sdk server + express handlers), serving
// JSON-RPC and HTTP+JSON/REST side by side, for Tether's conformance tests.
//
//   node agent.mjs [port]          (or PORT=…; 0 or nothing = any free port)
//   env AGENT_SECRET               bearer token the authenticated extended card requires (unset: always 401)
//
// Prints exactly one line "READY <port>" on stdout once listening on 127.0.0.1. Logs go to stderr.
// What the agent does with a message depends on its first text part (see README.md):
//   anything else   → an agent message "echo: <text>" (no task)
//   stream:N:MS     → a task that emits N events (artifact chunks and working updates) MS ms apart, then completes
//   slow:MS         → a task that goes working, stays silent for MS ms, then sends one artifact and completes
//   input           → a task that stops in input-required; the next message on it completes it with "got: <text>"
// Tasks still running can be cancelled (tasks/cancel, POST …/v1/tasks/{id}:cancel).
import { createServer } from 'node:http';
import { randomUUID, timingSafeEqual } from 'node:crypto';
import express from 'express';
import { AGENT_CARD_PATH } from '@a2a-js/sdk';
import { DefaultRequestHandler, InMemoryTaskStore } from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, restHandler } from '@a2a-js/sdk/server/express';

// stdout carries the READY line only: the SDK's console.log/info (e.g. "Push notification sent") go to stderr.
console.log = console.info = (...args) => console.error(...args);

const HOST = '127.0.0.1';
const JSONRPC_PATH = '/a2a/jsonrpc';
const REST_PATH = '/a2a/rest';
const EXTENDED_CARD_METHOD = 'agent/getAuthenticatedExtendedCard';
/** Bodies up to this size are accepted, so the proxy's own 1 MiB limit is what a test meets, not express's 100 kB default. */
const BODY_LIMIT = '16mb';

const port = Number(process.argv[2] ?? process.env.PORT ?? 0);
const secret = process.env.AGENT_SECRET ?? '';

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => new Date().toISOString();

function textOf(message) {
  return (message?.parts ?? []).filter((p) => p.kind === 'text').map((p) => p.text).join('');
}

function agentMessage(text, taskId, contextId) {
  return { kind: 'message', messageId: randomUUID(), role: 'agent', parts: [{ kind: 'text', text }], taskId, contextId };
}

function status(taskId, contextId, state, final, text) {
  return {
    kind: 'status-update',
    taskId,
    contextId,
    status: { state, timestamp: now(), ...(text === undefined ? {} : { message: agentMessage(text, taskId, contextId) }) },
    final,
  };
}

class ConformanceExecutor {
  /** Task ids whose cancellation was requested; running loops stop publishing once their id is here. */
  cancelled = new Set();
  /** contextId of each task this agent created, for the status update that cancels it. */
  contexts = new Map();

  async execute(context, bus) {
    const { taskId, contextId, userMessage, task } = context;
    const text = textOf(userMessage);

    if (task) {
      // A follow-up message on an existing task (the "input" flow).
      if (task.status.state === 'input-required') {
        bus.publish(status(taskId, contextId, 'completed', true, `got: ${text}`));
      } else {
        bus.publish(status(taskId, contextId, 'failed', true, `unexpected message in state ${task.status.state}`));
      }
      bus.finished();
      return;
    }

    const stream = /^stream:(\d+):(\d+)$/.exec(text);
    const slow = /^slow:(\d+)$/.exec(text);
    if (!stream && !slow && text !== 'input') {
      bus.publish(agentMessage(`echo: ${text}`, undefined, contextId));
      bus.finished();
      return;
    }

    this.contexts.set(taskId, contextId);
    bus.publish({
      kind: 'task',
      id: taskId,
      contextId,
      status: { state: 'submitted', timestamp: now() },
      history: [userMessage],
    });
    if (text === 'input') {
      bus.publish(status(taskId, contextId, 'input-required', true, 'Which colour?'));
    } else if (stream) {
      await this.emitStream(taskId, contextId, bus, Number(stream[1]), Number(stream[2]));
    } else {
      await this.emitSlow(taskId, contextId, bus, Number(slow[1]));
    }
    bus.finished();
  }

  /** N events MS ms apart: odd ones append a chunk to artifact "stream", even ones are working updates; then completed. */
  async emitStream(taskId, contextId, bus, count, gapMs) {
    for (let i = 1; i <= count; i++) {
      await sleep(gapMs);
      if (this.cancelled.has(taskId)) return;
      if (i % 2 === 1) {
        bus.publish({
          kind: 'artifact-update',
          taskId,
          contextId,
          artifact: { artifactId: 'stream', name: 'stream', parts: [{ kind: 'text', text: `chunk ${i}` }] },
          append: i > 1,
          lastChunk: i >= count - 1,
        });
      } else {
        bus.publish(status(taskId, contextId, 'working', false, `progress ${i}/${count}`));
      }
    }
    if (this.cancelled.has(taskId)) return;
    bus.publish(status(taskId, contextId, 'completed', true, `streamed ${count} events`));
  }

  /** Working, then MS ms of silence, then one artifact and completed. */
  async emitSlow(taskId, contextId, bus, silenceMs) {
    bus.publish(status(taskId, contextId, 'working', false, `thinking for ${silenceMs} ms`));
    await sleep(silenceMs);
    if (this.cancelled.has(taskId)) return;
    bus.publish({
      kind: 'artifact-update',
      taskId,
      contextId,
      artifact: { artifactId: 'answer', name: 'answer', parts: [{ kind: 'text', text: `done after ${silenceMs} ms` }] },
      lastChunk: true,
    });
    bus.publish(status(taskId, contextId, 'completed', true, 'done'));
  }

  cancelTask = async (taskId, bus) => {
    this.cancelled.add(taskId);
    bus.publish(status(taskId, this.contexts.get(taskId), 'canceled', true, 'canceled on request'));
  };
}

function bearerMatches(req) {
  const header = req.header('authorization') ?? '';
  const match = /^Bearer\s+(.+)$/i.exec(header);
  if (!secret || !match) return false;
  const presented = Buffer.from(match[1].trim());
  const expected = Buffer.from(secret);
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

class BearerUser {
  get isAuthenticated() {
    return true;
  }
  get userName() {
    return 'bearer';
  }
}

class AnonymousUser {
  get isAuthenticated() {
    return false;
  }
  get userName() {
    return '';
  }
}

const userBuilder = async (req) => (bearerMatches(req) ? new BearerUser() : new AnonymousUser());

function cards(baseUrl, grpcAddress) {
  const skill = { id: 'echo', name: 'Echo', description: 'Echoes the text it is sent', tags: ['test'] };
  const card = {
    protocolVersion: '0.3.0',
    name: 'Tether conformance agent',
    description: 'An @a2a-js/sdk agent for differential proxy tests',
    version: '1.0.0',
    url: `${baseUrl}${JSONRPC_PATH}`,
    preferredTransport: 'JSONRPC',
    additionalInterfaces: [
      { url: `${baseUrl}${JSONRPC_PATH}`, transport: 'JSONRPC' },
      { url: `${baseUrl}${REST_PATH}`, transport: 'HTTP+JSON' },
      // Advertised but not served: a proxy that only relays HTTP must drop it from the card it hands out.
      { url: grpcAddress, transport: 'GRPC' },
    ],
    capabilities: { streaming: true, pushNotifications: true, stateTransitionHistory: false },
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'AGENT_SECRET; only the extended card needs it' } },
    supportsAuthenticatedExtendedCard: true,
    defaultInputModes: ['text/plain'],
    defaultOutputModes: ['text/plain'],
    skills: [skill],
  };
  const extended = {
    ...card,
    name: 'Tether conformance agent (extended)',
    skills: [skill, { id: 'secret', name: 'Secret', description: 'Only listed on the authenticated extended card', tags: ['test'] }],
  };
  return { card, extended };
}

/** The extended card answers 401 without the right bearer token (the SDK alone would hand out the public card). */
function requireBearerForExtendedCard(req, res, next) {
  const wantsExtended =
    (req.baseUrl === REST_PATH && req.path === '/v1/card') || (req.baseUrl === JSONRPC_PATH && req.body?.method === EXTENDED_CARD_METHOD);
  if (!wantsExtended || bearerMatches(req)) return next();
  res.set('WWW-Authenticate', 'Bearer').status(401).json({ error: 'the extended agent card requires Authorization: Bearer <AGENT_SECRET>' });
}

// Malformed JSON is answered exactly as the SDK's own parse-error handlers answer it (jsonErrorHandler in
// src/server/express/json_rpc_handler.ts, restErrorHandler in rest_handler.ts), which the pre-parse below bypasses.
const jsonRpcParseError = { jsonrpc: '2.0', id: null, error: { code: -32700, message: 'Invalid JSON payload.' } };
const restParseError = { code: -32700, message: 'Invalid JSON payload.' };

function json(parseErrorBody) {
  const parse = express.json({ limit: BODY_LIMIT });
  return (req, res, next) =>
    parse(req, res, (err) => {
      if (err instanceof SyntaxError && 'body' in err) return res.status(400).json(parseErrorBody);
      next(err);
    });
}

const app = express();
app.disable('x-powered-by');
const server = createServer(app);
// Node's default, set explicitly: an idle keep-alive connection is closed after 5 s, so a client (or proxy) that
// reuses a pooled connection after that meets a closed socket — reproducibly.
server.keepAliveTimeout = 5000;

server.listen(port, HOST, () => {
  const actualPort = server.address().port;
  const baseUrl = `http://${HOST}:${actualPort}`;
  const { card, extended } = cards(baseUrl, `${HOST}:${actualPort}`);
  const requestHandler = new DefaultRequestHandler(
    card,
    new InMemoryTaskStore(),
    new ConformanceExecutor(),
    undefined, // event bus manager: the SDK default
    undefined, // push notification store: the SDK's in-memory one (pushNotifications: true)
    undefined, // push notification sender: the SDK default
    async (context) => {
      if (!context?.user?.isAuthenticated) throw new Error('not authenticated');
      return extended;
    },
  );
  app.use(`/${AGENT_CARD_PATH}`, agentCardHandler({ agentCardProvider: requestHandler }));
  app.use('/.well-known/agent.json', agentCardHandler({ agentCardProvider: requestHandler }));
  // The SDK routers run express.json() with its 100 kB default; parsing first with a larger limit wins (body-parser
  // skips a body already read), and lets the extended-card check see the JSON-RPC method.
  app.use(JSONRPC_PATH, json(jsonRpcParseError), requireBearerForExtendedCard, jsonRpcHandler({ requestHandler, userBuilder }));
  app.use(REST_PATH, json(restParseError), requireBearerForExtendedCard, restHandler({ requestHandler, userBuilder }));
  process.stdout.write(`READY ${actualPort}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    server.close();
    server.closeAllConnections();
    process.exit(0);
  });
}
