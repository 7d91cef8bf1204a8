// Runs A2A v0.3 scenarios with the official SDK client (@a2a-js/sdk ClientFactory) against a base URL — an agent's
// own, or Tether's proxy's http://host:port/workspaces/{ns}/{name}/ — and prints one JSON line per scenario:
//   {"scenario": "<name>", "outcome": <normalised result>}
// The outcome drops what legitimately differs between two runs (generated ids → <uuid:N> in order of appearance,
// timestamps → <timestamp>, the base URL → <base>, long texts → their length and SHA-256) and keeps everything else,
// so the same scenario run directly and through a proxy must print the same line. See README.md.
//
//   node client.mjs BASE_URL [--transport JSONRPC|HTTP+JSON] [--header 'Name: value']... [--secret S]
//                   [--gap-ms N] [--idle-ms N] [all | SCENARIO...]
import { createHash, randomUUID } from 'node:crypto';
import {
  ClientFactory,
  ClientFactoryOptions,
  DefaultAgentCardResolver,
  JsonRpcTransportFactory,
  RestTransport,
  RestTransportFactory,
} from '@a2a-js/sdk/client';

const USAGE = `usage: node client.mjs BASE_URL [--transport JSONRPC|HTTP+JSON] [--header 'Name: value']... [--secret S]
                      [--gap-ms N] [--idle-ms N] [all | SCENARIO...]`;

// ---------------------------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const options = { headers: [], scenarios: [], secret: process.env.AGENT_SECRET ?? '', gapMs: 2000, idleMs: 5500 };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      if (i + 1 >= argv.length) throw new Error(`${arg} needs a value`);
      return argv[++i];
    };
    if (arg === '--transport') options.transport = value();
    else if (arg === '--header') {
      const header = value();
      const colon = header.indexOf(':');
      if (colon <= 0) throw new Error(`--header wants 'Name: value', got '${header}'`);
      options.headers.push([header.slice(0, colon).trim(), header.slice(colon + 1).trim()]);
    } else if (arg === '--secret') options.secret = value();
    else if (arg === '--gap-ms') options.gapMs = Number(value());
    else if (arg === '--idle-ms') options.idleMs = Number(value());
    else if (arg === '-h' || arg === '--help') {
      process.stdout.write(`${USAGE}\nscenarios: ${Object.keys(SCENARIOS).join(' ')}\n`);
      process.exit(0);
    } else if (arg.startsWith('--')) throw new Error(`unknown option ${arg}`);
    else if (options.base === undefined) options.base = arg;
    else options.scenarios.push(arg);
  }
  if (options.base === undefined) throw new Error('BASE_URL is required');
  if (options.scenarios.length === 0) options.scenarios = ['all'];
  return options;
}

// ---------------------------------------------------------------------------------------------------------------
// Normalisation

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})/g;
const LONG_TEXT = 4096;

function sha256(text) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** One normaliser per scenario, so <uuid:N> numbering starts afresh and ids that are equal stay equal. */
function normaliser(base) {
  const root = base.replace(/\/+$/, ''); // with or without its trailing slash, the base reads <base>
  const ids = new Map();
  const string = (s) => {
    if (s.length > LONG_TEXT) return `<text length=${s.length} sha256=${sha256(s)}>`;
    let out = s.replace(UUID, (id) => {
      const key = id.toLowerCase();
      if (!ids.has(key)) ids.set(key, `<uuid:${ids.size + 1}>`);
      return ids.get(key);
    });
    out = out.replace(ISO_TIME, '<timestamp>');
    if (root) out = out.split(root).join('<base>');
    return out;
  };
  const walk = (value) => {
    if (typeof value === 'string') return string(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      const out = {};
      for (const key of Object.keys(value).sort()) {
        if (value[key] !== undefined) out[key] = walk(value[key]);
      }
      return out;
    }
    return value;
  };
  return walk;
}

/** What a thrown error says, the same way for both transports' error classes. */
function describeError(err) {
  const out = { name: err?.name ?? typeof err, message: String(err?.message ?? err) };
  const rpc = err?.errorResponse?.error;
  if (rpc) out.code = rpc.code;
  if (err?.cause instanceof Error) out.cause = describeError(err.cause).error;
  return { error: out };
}

async function attempt(fn) {
  try {
    const value = await fn();
    return value === undefined ? { ok: true } : value;
  } catch (err) {
    return describeError(err);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// SDK plumbing

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function userMessage(text, extra = {}) {
  return { kind: 'message', role: 'user', messageId: randomUUID(), parts: [{ kind: 'text', text }], ...extra };
}

/** fetch that adds the --header values to every request the SDK makes (card, transports) unless the call set them. */
function fetchWithHeaders(extraHeaders) {
  return (input, init = {}) => {
    const headers = new Headers(init.headers);
    for (const [name, value] of extraHeaders) {
      if (!headers.has(name)) headers.set(name, value);
    }
    return fetch(input, { ...init, headers });
  };
}

class Harness {
  constructor(options) {
    this.options = options;
    this.fetch = fetchWithHeaders(options.headers);
    this.resolver = new DefaultAgentCardResolver({ fetchImpl: this.fetch });
    this.factory = new ClientFactory(
      ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
        transports: [new JsonRpcTransportFactory({ fetchImpl: this.fetch }), new RestTransportFactory({ fetchImpl: this.fetch })],
        cardResolver: this.resolver,
        preferredTransports: options.transport ? [options.transport] : undefined,
      }),
    );
  }

  /** Card resolution as factory.createFromUrl(base) does it: new URL('.well-known/agent-card.json', base). */
  async resolveCard() {
    this.card = await this.resolver.resolve(this.options.base);
    return this.card;
  }

  /** A fresh SDK client per scenario (transport chosen by the factory from the card and --transport). */
  client() {
    return this.factory.createFromAgentCard(this.card);
  }

  /** A raw POST to the selected transport's endpoint (+ path), for the malformed requests no SDK client sends. */
  async raw(client, path, body, method = 'POST') {
    const url = `${client.transport.endpoint}${path}`;
    const response = await this.fetch(url, {
      method,
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: method === 'GET' ? undefined : body,
    });
    const text = await response.text();
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    let parsed = text;
    if (contentType === 'application/json') {
      try {
        parsed = JSON.parse(text);
      } catch {
        // keep the text
      }
    }
    return { status: response.status, contentType, body: parsed };
  }
}

async function collect(iterable, onEvent) {
  const events = [];
  for await (const event of iterable) {
    onEvent?.(event);
    events.push(event);
  }
  return events;
}

// ---------------------------------------------------------------------------------------------------------------
// Scenarios: each returns the raw outcome (normalised by the caller).

const STREAM_EVENTS = 20;
const STREAM_GAP_MS = 25;
/** Request bodies stay just under Tether's 1 MiB limit: text of 1 MiB − 4 KiB, envelope well under 4 KiB. */
const LARGE_TEXT_LENGTH = 1024 * 1024 - 4096;
const NON_ASCII = 'héllo wörld — 你好，世界 — 🚀🧪 — עברית — Ωμέγα — e\u0301 — \u2028 tab\tquote" backslash\\';

const SCENARIOS = {
  async card(h) {
    const client = await h.client();
    const c = h.card;
    return {
      name: c.name,
      protocolVersion: c.protocolVersion,
      url: c.url,
      preferredTransport: c.preferredTransport,
      additionalInterfaces: c.additionalInterfaces,
      capabilities: c.capabilities,
      supportsAuthenticatedExtendedCard: c.supportsAuthenticatedExtendedCard,
      securitySchemes: c.securitySchemes,
      selectedTransport: isRest(client) ? RestTransportFactory.name : JsonRpcTransportFactory.name,
      endpoint: client.transport.endpoint,
    };
  },

  async send(h) {
    const client = await h.client();
    return attempt(() => client.sendMessage({ message: userMessage('hello') }));
  },

  async stream(h) {
    const client = await h.client();
    return attempt(async () => {
      const events = await collect(client.sendMessageStream({ message: userMessage(`stream:${STREAM_EVENTS}:${STREAM_GAP_MS}`) }));
      return { count: events.length, events };
    });
  },

  /** One long silence inside a stream (the proxy's idle window and SSE keepalives live here). */
  async 'stream-gap'(h) {
    const client = await h.client();
    const gap = h.options.gapMs;
    return attempt(async () => {
      let last = Date.now();
      let longest = 0;
      const events = await collect(client.sendMessageStream({ message: userMessage(`slow:${gap}`) }), () => {
        const t = Date.now();
        longest = Math.max(longest, t - last);
        last = t;
      });
      // The gap itself varies by milliseconds; that a gap of about that length was seen does not.
      return { count: events.length, events, silenceObserved: longest >= gap * 0.9 };
    });
  },

  /** A task that waits in input-required, read back with tasks/get before and after the reply that completes it. */
  async get(h) {
    const client = await h.client();
    return attempt(async () => {
      const first = await client.sendMessage({ message: userMessage('input') });
      const waiting = await client.getTask({ id: first.id, historyLength: 10 });
      const reply = await client.sendMessage({ message: userMessage('blue', { taskId: first.id, contextId: first.contextId }) });
      const done = await client.getTask({ id: first.id });
      return { first, waiting, reply, done };
    });
  },

  async cancel(h) {
    const client = await h.client();
    return attempt(async () => {
      // Non-blocking: the send returns the submitted task while the agent is still in its first 2 s gap.
      const started = await client.sendMessage({ message: userMessage('stream:3:2000'), configuration: { blocking: false } });
      const canceled = await client.cancelTask({ id: started.id });
      const after = await client.getTask({ id: started.id });
      const again = await attempt(() => client.cancelTask({ id: started.id }));
      return { started, canceled, after, again };
    });
  },

  async resubscribe(h) {
    const client = await h.client();
    return attempt(async () => {
      const started = await client.sendMessage({ message: userMessage('stream:4:500'), configuration: { blocking: false } });
      const events = await collect(client.resubscribeTask({ id: started.id }));
      const finished = await attempt(async () => collect(client.resubscribeTask({ id: started.id })));
      return { started, count: events.length, events, afterCompletion: finished };
    });
  },

  async 'push-config'(h) {
    const client = await h.client();
    return attempt(async () => {
      const task = await client.sendMessage({ message: userMessage('input') });
      const config = { id: 'cfg-1', url: 'https://push.invalid/hook', token: 'push-token' };
      const params = { taskId: task.id, pushNotificationConfig: config };
      let set;
      let sdkSet;
      if (isRest(client)) {
        // @a2a-js/sdk 0.3.13+ REST servers (like a2a-python's) read a CreateTaskPushNotificationConfigRequest body,
        // {parent, configId, config}, while its REST client still posts the bare TaskPushNotificationConfig; the
        // SDK client's attempt is recorded (-32602), and the config is created with the body the server reads.
        sdkSet = await attempt(() => client.setTaskPushNotificationConfig(params));
        const name = `tasks/${task.id}/pushNotificationConfigs/${config.id}`;
        set = await h.raw(
          client,
          `/v1/tasks/${encodeURIComponent(task.id)}/pushNotificationConfigs`,
          JSON.stringify({ parent: `tasks/${task.id}`, configId: config.id, config: { name, pushNotificationConfig: config } }),
        );
      } else {
        set = await client.setTaskPushNotificationConfig(params);
      }
      const get = await client.getTaskPushNotificationConfig({ id: task.id, pushNotificationConfigId: 'cfg-1' });
      const list = await client.listTaskPushNotificationConfig({ id: task.id });
      const del = await attempt(() => client.deleteTaskPushNotificationConfig({ id: task.id, pushNotificationConfigId: 'cfg-1' }));
      const listAfter = await client.listTaskPushNotificationConfig({ id: task.id });
      const getAfter = await attempt(() => client.getTaskPushNotificationConfig({ id: task.id, pushNotificationConfigId: 'cfg-1' }));
      return { sdkSet, set, get, list, delete: del, listAfter, getAfter };
    });
  },

  async 'extended-card'(h) {
    const client = await h.client();
    const headers = h.options.secret ? { Authorization: `Bearer ${h.options.secret}` } : {};
    return attempt(() => client.getAgentCard({ serviceParameters: headers }));
  },

  async 'extended-card-unauthenticated'(h) {
    const client = await h.client();
    return attempt(() => client.getAgentCard());
  },

  async 'task-not-found'(h) {
    const client = await h.client();
    return {
      get: await attempt(() => client.getTask({ id: 'no-such-task' })),
      cancel: await attempt(() => client.cancelTask({ id: 'no-such-task' })),
    };
  },

  // The malformed requests no SDK client sends, posted raw to the chosen transport's endpoint.
  ...rawScenarios({
    'method-not-found': {
      rest: ['/v1/tasks/no-such-task:frobnicate', '{}'],
      jsonrpc: { jsonrpc: '2.0', id: 1, method: 'tasks/frobnicate', params: {} },
    },
    'invalid-params': {
      rest: ['/v1/message:send', JSON.stringify({ message: { role: 'ROLE_USER', content: [{ text: 'no id' }] } })],
      jsonrpc: { jsonrpc: '2.0', id: 2, method: 'message/send', params: { message: { kind: 'message', role: 'user', parts: [{ kind: 'text', text: 'no id' }] } } },
    },
    // REST has no "invalid request": a body that is no SendMessageRequest at all.
    'invalid-request': { rest: ['/v1/message:send', '[]'], jsonrpc: { jsonrpc: '1.0', id: 3, method: 'message/send', params: {} } },
    'parse-error': { rest: ['/v1/message:send', '{"message": '], jsonrpc: '{"jsonrpc": "2.0", "id": 4, "method": ' },
  }),

  async 'non-ascii'(h) {
    return echoRoundTrip(h, NON_ASCII);
  },

  async 'large-body'(h) {
    return echoRoundTrip(h, 'x'.repeat(LARGE_TEXT_LENGTH));
  },

  /** Two sends separated by more than the agent's 5 s keep-alive timeout (a pooled connection goes stale between). */
  async 'idle-reuse'(h) {
    const client = await h.client();
    const first = await attempt(() => client.sendMessage({ message: userMessage('before idle') }));
    await sleep(h.options.idleMs);
    const second = await attempt(() => client.sendMessage({ message: userMessage('after idle') }));
    return { first, second };
  },
};

function rawScenarios(cases) {
  const scenarios = {};
  for (const [name, { rest, jsonrpc }] of Object.entries(cases)) {
    scenarios[name] = async (h) => {
      const client = await h.client();
      if (isRest(client)) return h.raw(client, ...rest);
      return h.raw(client, '', typeof jsonrpc === 'string' ? jsonrpc : JSON.stringify(jsonrpc));
    };
  }
  return scenarios;
}

async function echoRoundTrip(h, text) {
  const client = await h.client();
  return attempt(async () => {
    const answer = await client.sendMessage({ message: userMessage(text) });
    return { answer, roundTrip: answer?.parts?.[0]?.text === `echo: ${text}` };
  });
}

/** What "all" runs: everything but idle-reuse, which only waits. */
const ALL = Object.keys(SCENARIOS).filter((name) => name !== 'idle-reuse');

function isRest(client) {
  return client.transport instanceof RestTransport;
}

// ---------------------------------------------------------------------------------------------------------------

async function main() {
  let options;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${err.message}\n${USAGE}\n`);
    process.exit(2);
  }
  const names = options.scenarios.flatMap((s) => (s === 'all' ? ALL : [s]));
  const unknown = names.filter((n) => !(n in SCENARIOS));
  if (unknown.length > 0) {
    process.stderr.write(`unknown scenario(s): ${unknown.join(', ')}; known: ${Object.keys(SCENARIOS).join(' ')}\n`);
    process.exit(2);
  }
  let harness;
  try {
    harness = new Harness(options);
  } catch (err) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  const print = (scenario, outcome) => process.stdout.write(`${JSON.stringify({ scenario, outcome: normaliser(options.base)(outcome) })}\n`);
  try {
    await harness.resolveCard();
  } catch (err) {
    print('card', describeError(err));
    process.exit(1);
  }
  for (const name of names) {
    let outcome;
    try {
      outcome = await SCENARIOS[name](harness);
    } catch (err) {
      outcome = { unexpected: describeError(err).error };
    }
    print(name, outcome);
  }
}

await main();
