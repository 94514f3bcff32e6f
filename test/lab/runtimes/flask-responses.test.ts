import { describe, expect, it } from 'vitest';
import { apps, appById } from '../../../lab/runtimes/app-catalog.ts';
import {
  allowedMethods,
  flaskRespond,
  METHOD_NOT_ALLOWED_PAGE,
  NOT_FOUND_PAGE,
  routingPath,
} from '../../../lab/runtimes/flask-responses.ts';

describe('flaskRespond', () => {
  it('answers every catalog route with its body as text/html and the right Content-Length', () => {
    for (const app of apps) {
      for (const route of app.routes) {
        const r = flaskRespond(app, route.methods[0]!, route.path);
        expect(r.status).toBe(200);
        expect(r.body).toBe(route.body);
        expect(r.headers['Content-Type']).toBe('text/html; charset=utf-8');
        expect(r.headers['Content-Length']).toBe(String(Buffer.byteLength(route.body)));
      }
    }
  });

  it("uses Werkzeug's 404 and 405 pages, whose lengths are 207 and 153 bytes", () => {
    const app = appById('ep9-app1');
    const notFound = flaskRespond(app, 'GET', '/nope');
    expect([notFound.status, notFound.reason, notFound.body]).toEqual([404, 'NOT FOUND', NOT_FOUND_PAGE]);
    expect(notFound.headers['Content-Length']).toBe('207');
    const notAllowed = flaskRespond(app, 'POST', '/data');
    expect([notAllowed.status, notAllowed.reason, notAllowed.body]).toEqual([405, 'METHOD NOT ALLOWED', METHOD_NOT_ALLOWED_PAGE]);
    expect(notAllowed.headers['Content-Length']).toBe('153');
    expect(notAllowed.headers['Allow']).toBe('GET, HEAD, OPTIONS');
  });

  it('answers HEAD with the GET headers and no body, and OPTIONS with Allow and an empty body', () => {
    const app = appById('ep2-app');
    const head = flaskRespond(app, 'HEAD', '/');
    expect(head.body).toBe('');
    expect(head.headers['Content-Length']).toBe(String('Hello from Flask over TCP!'.length));
    const options = flaskRespond(app, 'OPTIONS', '/');
    expect([options.status, options.body, options.headers['Allow']]).toEqual([200, '', 'GET, HEAD, OPTIONS']);
  });

  it('refuses GET and HEAD on the POST-only /submit of EP 4 with 405 and Allow: OPTIONS, POST', () => {
    const app = appById('ep4-app2');
    expect(flaskRespond(app, 'GET', '/submit').status).toBe(405);
    expect(flaskRespond(app, 'HEAD', '/submit').status).toBe(405);
    expect(flaskRespond(app, 'POST', '/submit').body).toBe('Form submitted successfully!');
    expect(flaskRespond(app, 'GET', '/submit').headers['Allow']).toBe('OPTIONS, POST');
  });

  it('routes on the decoded path with merged slashes and without the query, as Werkzeug does', () => {
    expect(routingPath('//data?x=1')).toBe('/data');
    expect(routingPath('/%64ata')).toBe('/data');
    expect(routingPath('/data/')).toBe('/data/');
    expect(flaskRespond(appById('ep9-app2'), 'GET', '/data/').status).toBe(404);
  });

  it('adds HEAD only to routes that have GET', () => {
    expect(allowedMethods(['POST'])).toEqual(['OPTIONS', 'POST']);
    expect(allowedMethods(['GET'])).toEqual(['GET', 'HEAD', 'OPTIONS']);
  });
});
