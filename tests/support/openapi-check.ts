// A structural check of an OpenAPI 3.1 document: enough to catch what a generator gets wrong (a path
// parameter not declared, a $ref to nothing, an operation without a success answer), without a
// dependency. It returns every problem it finds, as "where: what".

const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);
const LOCATIONS = new Set(['path', 'query', 'header', 'cookie']);

type Json = unknown;
const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Follows a local JSON pointer (#/components/schemas/Error); undefined when it leads nowhere. */
function resolvePointer(doc: Json, ref: string): Json | undefined {
  if (!ref.startsWith('#/')) return undefined;
  let node: Json | undefined = doc;
  for (const raw of ref.slice(2).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (!isObject(node) && !Array.isArray(node)) return undefined;
    node = (node as Record<string, Json>)[key];
    if (node === undefined) return undefined;
  }
  return node;
}

function collectRefs(node: Json, at: string, out: { at: string; ref: Json }[]): void {
  if (Array.isArray(node)) node.forEach((v, i) => collectRefs(v, `${at}/${i}`, out));
  else if (isObject(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref') out.push({ at, ref: v });
      else collectRefs(v, `${at}/${k}`, out);
    }
  }
}

export function checkOpenApi(doc: Json): string[] {
  const problems: string[] = [];
  const problem = (where: string, what: string) => problems.push(`${where}: ${what}`);
  if (!isObject(doc)) return ['document: is not an object'];
  if (typeof doc['openapi'] !== 'string' || !/^3\.1\.\d+$/.test(doc['openapi'])) problem('openapi', 'must be a 3.1.x version string');
  const info = doc['info'];
  if (!isObject(info) || typeof info['title'] !== 'string' || typeof info['version'] !== 'string') problem('info', 'needs a title and a version');
  const schemes = isObject(doc['components']) && isObject(doc['components']['securitySchemes']) ? doc['components']['securitySchemes'] : {};
  for (const req of Array.isArray(doc['security']) ? doc['security'] : []) {
    for (const name of isObject(req) ? Object.keys(req) : []) if (!(name in schemes)) problem('security', `names "${name}", which components.securitySchemes does not define`);
  }
  const paths = doc['paths'];
  if (!isObject(paths) || Object.keys(paths).length === 0) problem('paths', 'must list at least one path');
  const operationIds = new Map<string, string>();
  for (const [path, item] of Object.entries(isObject(paths) ? paths : {})) {
    if (!path.startsWith('/')) problem(path, 'a path must start with /');
    const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] ?? '');
    if (!isObject(item)) {
      problem(path, 'is not a path item object');
      continue;
    }
    for (const [method, op] of Object.entries(item)) {
      const where = `${method.toUpperCase()} ${path}`;
      if (!METHODS.has(method)) {
        problem(where, 'is not an HTTP method OpenAPI knows');
        continue;
      }
      if (!isObject(op)) {
        problem(where, 'is not an operation object');
        continue;
      }
      if (typeof op['operationId'] === 'string') {
        const seen = operationIds.get(op['operationId']);
        if (seen) problem(where, `operationId "${op['operationId']}" is also used by ${seen}`);
        operationIds.set(op['operationId'], where);
      }
      const params = Array.isArray(op['parameters']) ? op['parameters'] : [];
      const declared = new Set<string>();
      params.forEach((p, i) => {
        const pw = `${where} parameters[${i}]`;
        if (!isObject(p)) return problem(pw, 'is not an object');
        if (typeof p['name'] !== 'string' || p['name'] === '') problem(pw, 'needs a name');
        if (typeof p['in'] !== 'string' || !LOCATIONS.has(p['in'])) problem(pw, 'in must be path, query, header or cookie');
        if (!isObject(p['schema']) && !isObject(p['content'])) problem(pw, 'needs a schema (or content)');
        const key = `${String(p['in'])}:${String(p['name']).toLowerCase()}`;
        if (declared.has(key)) problem(pw, `${String(p['name'])} is declared twice`);
        declared.add(key);
        if (p['in'] === 'path') {
          if (p['required'] !== true) problem(pw, 'a path parameter must be required: true');
          if (!templated.includes(String(p['name']))) problem(pw, `path parameter ${String(p['name'])} is not in the path`);
        }
      });
      for (const name of templated) if (!declared.has(`path:${name.toLowerCase()}`)) problem(where, `{${name}} is in the path but not declared as a parameter`);
      const body = op['requestBody'];
      if (body !== undefined && (!isObject(body) || !isObject(body['content']) || Object.keys(body['content']).length === 0)) problem(where, 'requestBody needs content');
      const responses = op['responses'];
      if (!isObject(responses) || Object.keys(responses).length === 0) {
        problem(where, 'has no responses');
        continue;
      }
      if (!Object.keys(responses).some((s) => /^2\d\d$/.test(s))) problem(where, 'has no success (2xx) response');
      for (const [status, res] of Object.entries(responses)) {
        if (!/^([1-5]\d\d|[1-5]XX|default)$/.test(status)) problem(`${where} ${status}`, 'is not a status code');
        if (!isObject(res) || typeof res['description'] !== 'string' || res['description'] === '') problem(`${where} ${status}`, 'needs a description');
        else if (res['content'] !== undefined) {
          for (const [type, media] of Object.entries(isObject(res['content']) ? res['content'] : {})) {
            if (!isObject(media) || !isObject(media['schema'])) problem(`${where} ${status} ${type}`, 'needs a schema');
          }
        }
      }
      if (!Array.isArray(op['tags']) || op['tags'].some((tag) => typeof tag !== 'string')) problem(where, 'tags must be a list of names');
    }
  }
  const refs: { at: string; ref: Json }[] = [];
  collectRefs(doc, '#', refs);
  for (const { at, ref } of refs) {
    if (typeof ref !== 'string') problem(at, '$ref is not a string');
    else if (resolvePointer(doc, ref) === undefined) problem(at, `$ref ${ref} does not resolve`);
  }
  return problems;
}
