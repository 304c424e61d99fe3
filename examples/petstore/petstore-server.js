#!/usr/bin/env node
// The petstore example service (a stand-in for solo-io's petstore-example image): a tiny REST API
// with a Swagger 2.0 document at /swagger.json. Usage: node petstore-server.js [--port 8090] [--host 127.0.0.1]
import http from 'node:http';

const args = process.argv.slice(2);
const arg = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const port = Number(arg('port', process.env.PETSTORE_PORT ?? '8090'));
const host = arg('host', process.env.PETSTORE_HOST ?? '127.0.0.1');

const pets = new Map([
  [1, { id: 1, name: 'Dog', status: 'available' }],
  [2, { id: 2, name: 'Cat', status: 'pending' }],
]);

const swagger = {
  swagger: '2.0',
  info: { title: 'Swagger Petstore', version: '1.0.0', description: 'The petstore example service of gloo-ts' },
  basePath: '/api',
  schemes: ['http'],
  consumes: ['application/json'],
  produces: ['application/json'],
  paths: {
    '/pets': {
      get: {
        operationId: 'findPets',
        parameters: [
          { name: 'tags', in: 'query', required: false, type: 'array', items: { type: 'string' }, collectionFormat: 'csv' },
          { name: 'limit', in: 'query', required: false, type: 'integer', format: 'int32' },
        ],
        responses: { 200: { description: 'pet response', schema: { type: 'array', items: { $ref: '#/definitions/pet' } } } },
      },
      post: {
        operationId: 'addPet',
        parameters: [{ name: 'pet', in: 'body', required: true, schema: { $ref: '#/definitions/newPet' } }],
        responses: { 200: { description: 'pet response', schema: { $ref: '#/definitions/pet' } } },
      },
    },
    '/pets/{id}': {
      get: {
        operationId: 'findPetById',
        parameters: [{ name: 'id', in: 'path', required: true, type: 'integer', format: 'int64' }],
        responses: { 200: { description: 'pet response', schema: { $ref: '#/definitions/pet' } } },
      },
      delete: {
        operationId: 'deletePet',
        parameters: [{ name: 'id', in: 'path', required: true, type: 'integer', format: 'int64' }],
        responses: { 204: { description: 'pet deleted' } },
      },
    },
  },
  definitions: {
    pet: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer', format: 'int64' }, name: { type: 'string' }, tag: { type: 'string' } } },
    newPet: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'integer', format: 'int64' }, name: { type: 'string' }, tag: { type: 'string' } } },
  },
};

function json(res, status, body) {
  const text = body === undefined ? '' : JSON.stringify(body) + '\n';
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url, 'http://petstore');
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const byId = url.pathname.match(/^\/api\/pets\/([^/]+)$/);
    if (req.method === 'GET' && url.pathname === '/swagger.json') return json(res, 200, swagger);
    if (url.pathname === '/api/pets') {
      if (req.method === 'GET') return json(res, 200, [...pets.values()]);
      if (req.method === 'POST') {
        let pet;
        try {
          pet = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        } catch {
          return json(res, 400, { code: 400, message: 'body is not valid JSON' });
        }
        const id = Number(pet.id);
        if (!Number.isInteger(id) || typeof pet.name !== 'string') return json(res, 400, { code: 400, message: 'a pet needs an integer id and a name' });
        const stored = { id, name: pet.name, ...(pet.tag ? { tag: pet.tag } : {}), status: pet.status ?? 'available' };
        pets.set(id, stored);
        return json(res, 200, stored);
      }
      return json(res, 405, { code: 405, message: 'method not allowed' });
    }
    if (byId) {
      const id = Number(byId[1]);
      if (req.method === 'GET') return pets.has(id) ? json(res, 200, pets.get(id)) : json(res, 404, { code: 404, message: `pet ${byId[1]} not found` });
      if (req.method === 'DELETE') return pets.delete(id) ? json(res, 204) : json(res, 404, { code: 404, message: `pet ${byId[1]} not found` });
      return json(res, 405, { code: 405, message: 'method not allowed' });
    }
    json(res, 404, { code: 404, message: `no route for ${req.method} ${url.pathname}` });
  });
});

server.listen(port, host, () => {
  process.stdout.write(`petstore listening on http://${host}:${server.address().port}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
