// A Fastify + pg peer of planpipe's GET /v1/projects/{project}/stories/{key}
// for bench/api (docs/performance.md, "The peer"): the same answers from the
// same database through the same SQL function planpipe's route calls
// (src/api/sql/stories.sql, story_get), so that the benchmark compares the
// servers and not their SQL.
//
//   node bench/peer/server.js        (bench/api installs and starts it)
//
// Connects as the libpq variables say (PGHOST, PGPORT, PGDATABASE, PGUSER:
// node-postgres reads them; a PGHOST starting with "/" is a unix socket
// directory). PEER_POOL_SIZE connections (default 8), all opened at start,
// never closed when idle. Listens on PEER_LISTEN (HOST:PORT, default
// 127.0.0.1:0) and writes "listening on http://HOST:PORT" to standard error
// once it accepts. Logs nothing per request.
//
// Semantics, as planpipe's route (src/api/tx.c, src/api/stories.c):
// - no "Authorization: Bearer TOKEN": 401 problem+json, without a query;
// - the token's SHA-256 goes to planpipe_api_story_get(), which raises PP401
//   for a token of no enabled user (401) and PP404 for a project the caller
//   cannot see or a story it does not hold (404);
// - 200 with the story as JSON (the function's text, not parsed and
//   re-serialized), ETag "VERSION", and 304 when If-None-Match is that ETag
//   or "*".
'use strict';

const crypto = require('node:crypto');
const fastify = require('fastify');
const pg = require('pg');

const poolSize = Number.parseInt(process.env.PEER_POOL_SIZE || '8', 10);
const listen = process.env.PEER_LISTEN || '127.0.0.1:0';
const colon = listen.lastIndexOf(':');
const host = listen.slice(0, colon);
const port = Number.parseInt(listen.slice(colon + 1), 10);

if (!(poolSize > 0) || colon < 1 || !(port >= 0)) {
  process.stderr.write('peer: PEER_POOL_SIZE must be a positive number and PEER_LISTEN HOST:PORT\n');
  process.exit(2);
}

// json (114) as the text PostgreSQL sends: the body goes out as it came.
const JSON_OID = 114;
const types = {
  getTypeParser(oid, format) {
    return oid === JSON_OID ? (v) => v : pg.types.getTypeParser(oid, format);
  },
};
const pool = new pg.Pool({
  max: poolSize,
  idleTimeoutMillis: 0,
  application_name: 'planpipe-bench-peer',
  types,
});
pool.on('error', (err) => process.stderr.write(`peer: idle connection lost: ${err.message}\n`));

// src/api/sql/stories.sql, story_get: prepared once per connection by name.
const STORY_GET = 'SELECT user_id, body, version FROM planpipe_api_story_get($1::bytea, $2, $3)';
const PROBLEM_BASE = 'https://planpipe.dev/problems/';

function problem(reply, status, type, title, detail) {
  if (status === 401) reply.header('WWW-Authenticate', 'Bearer realm="planpipe"');
  return reply
    .code(status)
    .type('application/problem+json')
    .send(JSON.stringify({ type: PROBLEM_BASE + type, title, status, detail }));
}

function bearer(header) {
  if (typeof header !== 'string' || header.slice(0, 7).toLowerCase() !== 'bearer ') return null;
  const token = header.slice(7).replace(/^ +/, '');
  return token === '' ? null : token;
}

const app = fastify({ logger: false });

app.get('/v1/projects/:project/stories/:key', async (request, reply) => {
  const token = bearer(request.headers.authorization);
  if (token === null) {
    return problem(reply, 401, 'unauthorized', 'Authentication required',
      'send the API token as "Authorization: Bearer TOKEN"');
  }
  const hash = crypto.createHash('sha256').update(token, 'utf8').digest();
  let res;
  try {
    res = await pool.query({
      name: 'story_get',
      text: STORY_GET,
      values: [hash, request.params.project, request.params.key],
    });
  } catch (err) {
    if (err.code === 'PP401') {
      return problem(reply, 401, 'unauthorized', 'Invalid credentials', err.message);
    }
    if (err.code === 'PP404') return problem(reply, 404, 'not-found', 'Not found', err.message);
    process.stderr.write(`peer: database error ${err.code || '(none)'}: ${err.message}\n`);
    return problem(reply, 500, 'internal', 'Internal error', 'the database failed unexpectedly');
  }
  if (res.rows.length === 0) {
    return problem(reply, 404, 'not-found', 'Not found',
      `no story ${request.params.project}:${request.params.key}`);
  }
  const row = res.rows[0];
  const etag = `"${row.version}"`;
  reply.header('ETag', etag);
  const inm = request.headers['if-none-match'];
  if (inm === etag || inm === '*') return reply.code(304).send();
  return reply.code(200).type('application/json').send(row.body);
});

async function main() {
  // Every connection opened before the first request, as planpipe serve's
  // PLANPIPE_POOL_MIN does in bench/api.
  const clients = await Promise.all(Array.from({ length: poolSize }, () => pool.connect()));
  for (const c of clients) c.release();
  await app.listen({ host, port });
  const addr = app.server.address();
  process.stderr.write(`peer: listening on http://${addr.address}:${addr.port} (pool ${poolSize})\n`);
}

async function stop() {
  await app.close();
  await pool.end();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

main().catch((err) => {
  process.stderr.write(`peer: cannot start: ${err.message}\n`);
  process.exit(1);
});
