import { compileErrors, validate } from '@readme/openapi-parser';
import { describe, expect } from 'vitest';
import { test } from '../test/api-fixture.ts';
import { EXTRACT_COLUMNS } from './extract-table.ts';

describe('GET /openapi.json', () => {
  test('is a valid OpenAPI 3.1 document, served without a token', async ({ api }) => {
    const response = await api.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    const result = await validate(structuredClone(document));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    // The validator does refuse a broken document: this test can fail.
    const broken = await validate({ ...structuredClone(document), paths: { '/x': { get: { responses: 'none' } } } });
    expect(broken.valid).toBe(false);
  });

  test('describes the data routes from their schemas, and hides the queue UI', async ({ api }) => {
    const { paths, components } = (await api.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    for (const path of [
      '/v1/measures',
      '/v1/forces',
      '/v1/extract',
      '/v1/snapshots',
      '/v1/snapshots/latest',
      '/v1/snapshots/{snapshotId}',
      '/v1/measures/{measureId}/series',
    ]) {
      expect(paths[path]?.get, path).toBeDefined();
    }
    expect(Object.keys(paths).filter((path) => path.startsWith('/admin') || path.startsWith('/docs'))).toEqual([]);
    const extract = paths['/v1/extract'].get;
    expect(extract.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(
      expect.arrayContaining([
        'query:forceId',
        'query:from',
        'query:to',
        'query:measureId',
        'query:period',
        'query:revisions',
        'query:limit',
        'query:cursor',
        'query:format',
      ]),
    );
    expect(extract.description).toContain(EXTRACT_COLUMNS.join(', '));
    expect(Object.keys(extract.responses['200'].content)).toEqual(['application/json', 'text/csv']);
    expect(Object.keys(components.securitySchemes)).toEqual(['bearer', 'apiKeyHeader', 'apiKeyQuery']);
    const format = paths['/v1/snapshots/latest'].get.parameters.find((p: { name: string }) => p.name === 'format');
    expect(format.schema).toMatchObject({ enum: ['json', 'csv'] });
  });

  test('has a docs page', async ({ api }) => {
    const page = await api.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('swagger-ui');
  });

  test('leaves validation to the routes: a bad parameter is still the route’s own 400', async ({ api }) => {
    const response = await api.app.inject({
      method: 'GET',
      url: '/v1/extract?format=xml&forceId=avon-and-somerset',
      headers: api.bearer('reader'),
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toEqual({
      error: 'bad_request',
      message: 'invalid query parameters: format: must be json or csv',
      details: [{ in: 'query', path: 'format', message: 'must be json or csv' }],
    });
  });
});
